using System.CommandLine;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes run "cmd"</c>: create a sandbox, run the command with live output, exit with its code, destroy the
/// sandbox. With <c>--file</c> or <c>--lang</c> it runs code instead (see <see cref="CodeRun"/>).
/// </summary>
internal static class RunVerb
{
    public static Command Create()
    {
        var command = new Argument<string[]>("command") { Description = "The shell command line (quote it, or put it after --)", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Run a source file; its language comes from its extension (.py .js .ts .go .rs .rb .sh)" };
        var lang = new Option<string?>("--lang") { Description = "Run code read from stdin in this language (python, node, typescript, go, rust, ruby, bash, or an interpreter's name)" };
        var deps = new Option<bool>("--deps") { Description = "Go: upload go.mod and go.sum from the file's directory and download the modules first (the sandbox gets outbound network)" };
        var timeout = new Option<double?>("--timeout", "-t") { Description = "Seconds after which the command is killed (the sandbox's own lifetime is --lifetime)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the sandbox after the command (prints its id)" };
        var reuse = new Option<bool>("--reuse") { Description = "Run in the running sandbox carrying all the -l labels, or create one with them and keep it" };
        var image = new Option<string?>("--image") { Description = "Container image to start from (providers that take images)" };
        var preset = new Option<string?>("--preset") { Description = $"Preset to install first: {string.Join(", ", SandboxPresets.Names)}", CompletionSources = { _ => SandboxPresets.Names } };
        var snapshot = new Option<string?>("--snapshot") { Description = "Start from this snapshot (see `sandboxes snapshot`)" };
        var verb = new Command("run", "Run a command, or code, in a new sandbox and exit with its exit code.").WithExamples(
            "sandboxes run \"echo hello\"",
            "sandboxes run -e MODE=test -t 30 \"python3 script.py\"",
            "sandboxes run --keep -l project=demo \"git clone https://example.com/repo\"",
            "sandboxes run --reuse -l project=demo \"ls repo\"      # the same sandbox again",
            "sandboxes run --preset python-data-science \"python3 analyze.py\"",
            "sandboxes run --network internet \"pip install requests\"",
            "sandboxes run --allow 10.0.0.5 \"curl http://10.0.0.5/\"    # that host only",
            "sandboxes run --keep --lifetime 2h \"make\"",
            "sandboxes run --image python:3.12-slim \"python --version\"",
            "sandboxes run --file script.py",
            "cat main.go | sandboxes run --lang go",
            "sandboxes run --file main.go --deps");
        verb.Add(command);
        foreach (var option in new Option[] { file, lang, deps, CliContext.Provider, CliContext.Env, CliContext.Labels, reuse, keep, timeout, image, preset, snapshot, SandboxFlags.Network, SandboxFlags.Allow, SandboxFlags.Lifetime, CliContext.Quiet })
        {
            verb.Options.Add(option);
        }

        verb.SetAction(async (parse, cancellationToken) =>
        {
            var line = CliContext.CommandLine(parse, parse.GetValue(command));
            var source = parse.GetValue(file);
            var language = parse.GetValue(lang);
            var withDeps = parse.GetValue(deps);
            var runsCode = source is not null || language is not null;
            if (runsCode == (line.Length > 0))
            {
                throw new BadConfigException(string.Empty, runsCode
                    ? "Give a command line, or code with --file/--lang, not both."
                    : "Give a command line to run, or code with --file or --lang.");
            }

            var (code, codeLanguage) = runsCode ? CodeRun.Read(source, language) : (string.Empty, default);
            if (withDeps && (source is null || codeLanguage != CodeLanguage.Go))
            {
                throw new BadConfigException(string.Empty, "--deps works with --file and a Go program (main.go beside its go.mod).");
            }

            var env = CliContext.ParsePairs(parse.GetValue(CliContext.Env), "-e/--env");
            var labels = CliContext.ParsePairs(parse.GetValue(CliContext.Labels), "-l/--label");
            var kept = parse.GetValue(keep);
            var quiet = parse.GetValue(CliContext.Quiet);
            var reused = parse.GetValue(reuse);
            if (reused && labels.Count == 0)
            {
                throw new BadConfigException(string.Empty, "--reuse finds the sandbox by its labels: add -l KEY=VALUE.");
            }

            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet);
            var provider = session.Resolve().Provider;
            var options = SandboxFlags.Apply(parse, new SandboxOptions
            {
                Provider = provider,
                Labels = labels.Count > 0 ? labels : null,
                Envs = env.Count > 0 ? env : null,
                Keep = kept,
                Image = parse.GetValue(image),
                Preset = parse.GetValue(preset),
                Snapshot = parse.GetValue(snapshot),
            }, withDeps && SandboxProviders.Describe(provider).Capabilities.Supports(Capability.NetworkPolicy) ? NetworkPolicy.Internet : null);
            var (sandbox, created) = reused
                ? await session.GetOrCreateAsync(labels, options, cancellationToken).ConfigureAwait(false)
                : (await session.CreateAsync(options, cancellationToken).ConfigureAwait(false), true);
            kept |= reused;
            if (reused && !created)
            {
                CliConsole.Note($"reusing sandbox {sandbox.Id}", quiet);
            }

            await using (sandbox.ConfigureAwait(false))
            {
                var seconds = parse.GetValue(timeout);
                var exit = withDeps ? await CodeRun.RunGoModuleAsync(sandbox, source!, seconds, cancellationToken).ConfigureAwait(false)
                    : runsCode ? await CodeRun.RunAsync(sandbox, code, codeLanguage, seconds, cancellationToken).ConfigureAwait(false)
                    : await OutputCopier.StreamAsync(sandbox, new RunCommandRequest(line) { TimeoutSeconds = seconds, Env = env.Count > 0 ? env : null }, cancellationToken)
                        .ConfigureAwait(false);
                if (kept && created && !quiet)
                {
                    await Console.Error.WriteLineAsync($"sandboxes: kept sandbox {sandbox.Id} (sandboxes exec {sandbox.Id} \"...\"; sandboxes destroy {sandbox.Id})" +
                                                       await SandboxFlags.ExpiryNoteAsync(sandbox, cancellationToken).ConfigureAwait(false))
                        .ConfigureAwait(false);
                }

                return exit;
            }
        });
        return verb;
    }
}
