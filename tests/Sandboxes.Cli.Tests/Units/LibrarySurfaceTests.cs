using System.Reflection;
using System.Runtime.CompilerServices;
using NUnit.Framework;

namespace Sandboxes.Cli.Tests.Units;

/// <summary>The tool is built on the library's public surface only, so it builds against the published package too.</summary>
[TestFixture]
public sealed class LibrarySurfaceTests
{
    [Test]
    public void The_library_opens_no_internals_to_the_tool()
    {
        var friends = typeof(Sandbox).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName);

        Assert.That(friends, Has.None.StartsWith("Sandboxes.Cli"));
    }
}
