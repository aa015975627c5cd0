using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators
{
    /// <summary>
    /// The spec compiler's command line: <c>Sandboxes.SpecCompiler @specs.rsp</c>, where the file lists the specs to compile
    /// (one <c>key=value</c> line per option, a line <c>---</c> after each spec; see <see cref="SpecRequestFile"/>). Each
    /// spec's source is written to its output path; diagnostics go to standard output in MSBuild's canonical format, naming
    /// the spec file and the JSON pointer. The exit code is 1 when any error was reported.
    /// </summary>
    internal static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length != 1 || !args[0].StartsWith("@", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("usage: Sandboxes.SpecCompiler @specs.rsp");
                return 2;
            }

            var failed = false;
            foreach (var compiled in SpecCompilation.Compile(SpecRequestFile.Read(args[0].Substring(1))))
            {
                foreach (var diagnostic in compiled.Diagnostics)
                {
                    failed |= Write(diagnostic);
                }

                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(compiled.Request.OutputPath))!);
                File.WriteAllText(compiled.Request.OutputPath, compiled.Source ?? SpecCompilation.Empty(compiled.Request));
            }

            return failed ? 1 : 0;
        }

        /// <summary>Writes one diagnostic; true when it is an error.</summary>
        private static bool Write(DiagnosticInfo diagnostic)
        {
            var descriptor = DiagnosticDescriptors.Find(diagnostic.Id);
            var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.Format, diagnostic.Arguments.Cast<object>().ToArray());
            var where = diagnostic.Pointer.Length == 0 ? string.Empty : " (at " + diagnostic.Pointer + ")";
            switch (descriptor.Severity)
            {
                case DiagnosticSeverity.Error:
                    Console.WriteLine(diagnostic.FilePath + ": error " + descriptor.Id + ": " + message + where);
                    return true;
                case DiagnosticSeverity.Warning:
                    Console.WriteLine(diagnostic.FilePath + ": warning " + descriptor.Id + ": " + message + where);
                    return false;
                default:
                    Console.WriteLine(Path.GetFileName(diagnostic.FilePath) + " " + descriptor.Id + ": " + message + where);
                    return false;
            }
        }
    }
}
