using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Where a diagnostic points, without holding a <see cref="SyntaxTree"/>: a <see cref="Location"/> keeps the whole
    /// tree alive and compares by reference, which would defeat the incremental cache.
    /// </summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null)
            {
                return null;
            }

            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }

        /// <summary>The start of a file (for problems that concern a whole table).</summary>
        public static LocationInfo StartOf(string path) =>
            new(path, new TextSpan(0, 0), new LinePositionSpan(LinePosition.Zero, LinePosition.Zero));
    }
}
