using System.Text;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// The code half of <c>sandboxes run</c>: a source file (<c>--file</c>) or code on stdin (<c>--lang</c>) run with
/// <see cref="Sandbox.RunCodeAsync(RunCodeRequest, CancellationToken)"/>, output streamed as it comes, the error's
/// traceback on stderr; and Go with <c>--deps</c>, whose module files are uploaded and downloaded before it runs.
/// </summary>
internal static class CodeRun
{
    /// <summary>The exit code when the sandbox has no runtime for the language, as a shell says of a missing command.</summary>
    public const int RuntimeMissing = 127;

    /// <summary>Reads the code and works out its language, before any sandbox is created.</summary>
    /// <exception cref="BadConfigException">No file or no language, or an unknown extension.</exception>
    public static (string Code, CodeLanguage Language) Read(FileInfo? file, string? language)
    {
        if (file is not null)
        {
            if (!file.Exists)
            {
                throw new BadConfigException(string.Empty, $"--file: '{file.FullName}' does not exist.");
            }

            var fromExtension = CodeLanguage.FromFileExtension(file.Name);
            var chosen = language is { Length: > 0 } named ? new CodeLanguage(named) : fromExtension
                ?? throw new BadConfigException(string.Empty,
                    $"--file: cannot tell the language of '{file.Name}' from its extension (.py .js .ts .go .rs .rb .sh); add --lang.");
            return (File.ReadAllText(file.FullName), chosen);
        }

        if (!Console.IsInputRedirected)
        {
            throw new BadConfigException(string.Empty, "--lang reads the code from stdin: pipe it in (cat script.py | sandboxes run --lang python).");
        }

        return (Console.In.ReadToEnd(), new CodeLanguage(language!));
    }

    /// <summary>Runs the code once and returns the exit code the tool exits with.</summary>
    public static async Task<int> RunAsync(Sandbox sandbox, string code, CodeLanguage language, double? timeout, CancellationToken cancellationToken)
    {
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        ExecutionResult result;
        try
        {
            result = await sandbox.RunCodeAsync(new RunCodeRequest(code)
            {
                Language = language,
                TimeoutSeconds = timeout,
                OnStdout = text => Write(stdout, text),
                OnStderr = text => Write(stderr, text),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RuntimeNotFoundException missing)
        {
            await Console.Error.WriteLineAsync($"sandboxes: {missing.Message} (install it in the sandbox, or pick another provider)")
                .ConfigureAwait(false);
            return RuntimeMissing;
        }

        // A compiler's messages are already on stderr; an exception's traceback is not, as the language would print it.
        if (result.Error is { Name: not "CompileError" } error)
        {
            Write(stderr, error.Traceback.Length > 0 ? error.Traceback.TrimEnd('\n') + "\n" : error + "\n");
        }

        return result.ExitCode != 0 ? result.ExitCode : result.Error is null ? 0 : 1;
    }

    /// <summary>
    /// Go with its modules: uploads go.mod (and go.sum) from the file's directory with the file into a fresh directory
    /// of the sandbox, downloads the modules, then runs the package.
    /// </summary>
    public static async Task<int> RunGoModuleAsync(Sandbox sandbox, FileInfo file, double? timeout, CancellationToken cancellationToken)
    {
        var directory = file.Directory!;
        var goMod = new FileInfo(Path.Combine(directory.FullName, "go.mod"));
        if (!goMod.Exists)
        {
            throw new BadConfigException(string.Empty, $"--deps needs a go.mod beside {file.Name} (in {directory.FullName}).");
        }

        var work = "sandboxes-run-" + Guid.NewGuid().ToString("N")[..8];
        await sandbox.MakeDirAsync(work, cancellationToken).ConfigureAwait(false);
        foreach (var upload in new[] { goMod, new FileInfo(Path.Combine(directory.FullName, "go.sum")), file })
        {
            if (upload.Exists)
            {
                await sandbox.WriteFileAsync(work + "/" + upload.Name, await File.ReadAllBytesAsync(upload.FullName, cancellationToken).ConfigureAwait(false),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        var script = "command -v go >/dev/null 2>&1 || { echo 'sandboxes: no runtime for go in the sandbox: go is not on its PATH.' >&2; exit 127; }\n" +
                     "export GOCACHE=\"${GOCACHE:-${HOME:-/tmp}/.cache/go-build}\" GOPATH=\"${GOPATH:-${HOME:-/tmp}/go}\"\n" +
                     "go mod download && go run .";
        return await OutputCopier.StreamAsync(sandbox, new RunCommandRequest(script) { Cwd = work, TimeoutSeconds = timeout }, cancellationToken)
            .ConfigureAwait(false);
    }

    private static void Write(Stream stream, string text)
    {
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush();
    }
}
