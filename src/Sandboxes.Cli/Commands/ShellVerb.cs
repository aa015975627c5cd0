using System.CommandLine;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;
using Sandboxes.Cli.Terminal;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes shell</c>: an interactive terminal in a sandbox through the PTY protocol. A new sandbox is destroyed
/// when the shell exits unless <c>--keep</c>; <c>-n NAME</c> names it (kept) and reattaches to it next time; an id
/// attaches to an existing sandbox. Exits with the shell's exit code.
/// </summary>
internal static class ShellVerb
{
    public static Command Create()
    {
        var id = new Argument<string?>("id") { Description = "Attach to this existing sandbox instead of creating one", Arity = ArgumentArity.ZeroOrOne };
        var name = new Option<string?>("--name", "-n") { Description = "Name the sandbox (kept); run the same command again to reattach to it" };
        var keep = new Option<bool>("--keep") { Description = "Keep a new sandbox when the shell exits (prints its id)" };
        var command = new Option<string?>("--command", "-c") { Description = "Run this program on the terminal instead of a shell" };
        var image = new Option<string?>("--image") { Description = "Container image for a new sandbox (providers that take images)" };
        var preset = new Option<string?>("--preset") { Description = "Preset to install in a new sandbox", CompletionSources = { _ => SandboxPresets.Names } };
        var snapshot = new Option<string?>("--snapshot") { Description = "Start a new sandbox from this snapshot" };
        var verb = new Command("shell", "Open an interactive terminal in a sandbox (new, named, or by id).").WithExamples(
            "sandboxes shell                                # a throwaway sandbox, destroyed on exit",
            "sandboxes shell -n dev                         # create 'dev', or reattach to it",
            "sandboxes shell sbx-abc123                     # a sandbox made with run --keep",
            "sandboxes shell -p e2b --keep -c htop",
            "# keys go to the sandbox as typed (Ctrl-C interrupts the program there); exit the shell to leave");
        verb.Add(id);
        foreach (var option in new Option[] { CliContext.Provider, name, keep, command, CliContext.Env, image, preset, snapshot, SandboxFlags.Network, SandboxFlags.Allow, SandboxFlags.Lifetime, CliContext.Quiet })
        {
            verb.Options.Add(option);
        }

        verb.SetAction(async (parse, cancellationToken) =>
        {
            var quiet = parse.GetValue(CliContext.Quiet);
            var env = CliContext.ParsePairs(parse.GetValue(CliContext.Env), "-e/--env");
            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet);
            var target = await OpenAsync(session, parse.GetValue(id), parse.GetValue(name), parse.GetValue(keep), SandboxFlags.Apply(parse, new SandboxOptions
            {
                Image = parse.GetValue(image),
                Preset = parse.GetValue(preset),
                Snapshot = parse.GetValue(snapshot),
            }), cancellationToken).ConfigureAwait(false);
            return await RunAsync(session, target, parse.GetValue(command), env, cancellationToken).ConfigureAwait(false);
        });
        return verb;
    }

    /// <summary>The sandbox a terminal verb works in, whether this run created it, and whether it outlives the run.</summary>
    internal sealed record Target(Sandbox Sandbox, bool Created, bool Kept, string? Name);

    /// <summary>
    /// Attaches to <paramref name="id"/>, or finds the sandbox named <paramref name="name"/> (creating it, kept, when there
    /// is none), or creates a new one (kept only with <paramref name="keep"/>).
    /// </summary>
    internal static async Task<Target> OpenAsync(CliSession session, string? id, string? name, bool keep, SandboxOptions options,
        CancellationToken cancellationToken)
    {
        if (id is not null && name is not null)
        {
            throw new BadConfigException(string.Empty, "Give a sandbox id or -n NAME, not both.");
        }

        if (id is not null)
        {
            return new Target(await session.AttachAsync(id, cancellationToken).ConfigureAwait(false), false, true, null);
        }

        // Say so before creating anything: a cloud sandbox made for a terminal it cannot have is time and money lost.
        var provider = session.Resolve().Provider;
        if (!SandboxProviders.Describe(provider).Capabilities.Supports(Capability.Pty))
        {
            throw new FeatureNotSupportedException(provider, Capability.Pty, "it offers no terminals, so `shell` cannot open one");
        }

        if (name is not null)
        {
            if (await NamedSandboxes.FindAsync(session, name, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                CliConsole.Note($"attaching to sandbox {existing.Id} ({name})", session.Quiet);
                return new Target(existing, false, true, name);
            }

            var labels = NamedSandboxes.Labels(name);
            foreach (var (key, value) in options.Labels ?? new Dictionary<string, string>())
            {
                labels[key] = value;
            }

            var named = await session.CreateAsync(options with { Name = name, Labels = labels, Keep = true }, cancellationToken).ConfigureAwait(false);
            return new Target(named, true, true, name);
        }

        var created = await session.CreateAsync(options with { Keep = keep }, cancellationToken).ConfigureAwait(false);
        return new Target(created, true, keep, null);
    }

    /// <summary>Runs the terminal, then destroys the sandbox unless it is kept, and says how to come back to a kept one.</summary>
    internal static async Task<int> RunAsync(CliSession session, Target target, string? command, IReadOnlyDictionary<string, string>? env,
        CancellationToken cancellationToken)
    {
        await using (target.Sandbox.ConfigureAwait(false))
        {
            if (OperatingSystem.IsWindows())
            {
                throw new BadConfigException(string.Empty, "shell needs a Unix terminal; on Windows, run it under WSL.");
            }

            var exit = await InteractiveShell.RunAsync(target.Sandbox, command, env, cancellationToken).ConfigureAwait(false);
            if (target.Created && target.Kept)
            {
                var again = target.Name is { } name ? $"sandboxes shell -n {name}" : $"sandboxes shell {target.Sandbox.Id}";
                CliConsole.Note($"kept sandbox {target.Sandbox.Id} (`{again}` reattaches; `sandboxes destroy {target.Sandbox.Id}` removes it)" +
                                await SandboxFlags.ExpiryNoteAsync(target.Sandbox, cancellationToken).ConfigureAwait(false), session.Quiet);
            }

            return exit;
        }
    }
}
