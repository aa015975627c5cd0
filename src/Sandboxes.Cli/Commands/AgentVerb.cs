using System.CommandLine;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes claude</c> and <c>sandboxes codex</c>: a sandbox with the agent's preset installed (claude-code,
/// codex), then a terminal running the agent. The agent's API key leaves this machine only with <c>--pass-key</c>, and
/// then only into the terminal's environment (never the sandbox's stored settings, never printed). <c>-n</c> keeps a
/// named sandbox to come back to, with the agent's files.
/// </summary>
internal static class AgentVerb
{
    /// <summary>The label marking sandboxes made for an agent (value: the preset), so that <c>--list</c> finds them.</summary>
    public const string AgentLabel = "sandboxes.agent";

    /// <summary>Where npm installs the agent: the user's home, since system directories may be read-only or root's (npm expands ~).</summary>
    internal const string NpmPrefix = "~/.npm-global";

    /// <summary>Claude Code.</summary>
    public static readonly AgentSpec Claude = new("claude", "Claude Code", "claude-code", "claude", "ANTHROPIC_API_KEY");

    /// <summary>OpenAI Codex CLI.</summary>
    public static readonly AgentSpec Codex = new("codex", "Codex", "codex", "codex", "OPENAI_API_KEY");

    public static Command Create(AgentSpec agent)
    {
        var name = new Option<string?>("--name", "-n") { Description = "Name the sandbox (kept, with the agent's files); run again to come back to it" };
        var keep = new Option<bool>("--keep") { Description = "Keep a new unnamed sandbox when the agent exits" };
        var passKey = new Option<bool>("--pass-key") { Description = $"Pass ${agent.KeyVariable} from this environment to the agent (otherwise log in inside)" };
        var list = new Option<bool>("--list") { Description = $"List the sandboxes made for {agent.DisplayName}" };
        var verb = new Command(agent.Verb, $"Start {agent.DisplayName} in a sandbox (the {agent.Preset} preset) and open a terminal running it.").WithExamples(
            $"sandboxes {agent.Verb}                               # a throwaway sandbox",
            $"sandboxes {agent.Verb} -n myproject                  # kept; run again to come back",
            $"sandboxes {agent.Verb} -p e2b --pass-key             # ${agent.KeyVariable} passed to the agent",
            $"sandboxes {agent.Verb} --list");
        foreach (var option in new Option[] { CliContext.Provider, name, keep, passKey, list, SandboxFlags.Network, SandboxFlags.Allow, SandboxFlags.Lifetime, CliContext.Json, CliContext.Quiet })
        {
            verb.Options.Add(option);
        }

        verb.SetAction(async (parse, cancellationToken) =>
        {
            var quiet = parse.GetValue(CliContext.Quiet);
            await using var session = CliSession.Open(parse.GetValue(CliContext.Provider), quiet);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [AgentLabel] = agent.Preset };
            if (parse.GetValue(list))
            {
                var (sandboxes, failed) = await ListVerb.ListAsync(session, labels, cancellationToken).ConfigureAwait(false);
                ListVerb.Print(sandboxes, parse.GetValue(CliContext.Json));
                return failed ? ExitCodes.ProviderError : ExitCodes.Ok;
            }

            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            var key = Environment.GetEnvironmentVariable(agent.KeyVariable);
            if (parse.GetValue(passKey))
            {
                env[agent.KeyVariable] = string.IsNullOrEmpty(key)
                    ? throw new BadConfigException(string.Empty, $"--pass-key passes ${agent.KeyVariable}, which is not set here.")
                    : key;
            }
            else
            {
                CliConsole.Note(string.IsNullOrEmpty(key)
                    ? $"{agent.DisplayName} will ask you to log in (or set ${agent.KeyVariable} and add --pass-key)"
                    : $"${agent.KeyVariable} stays on this machine; add --pass-key to give it to {agent.DisplayName}", quiet);
            }

            var provider = session.Resolve().Provider;
            var capabilities = SandboxProviders.Describe(provider).Capabilities;
            var options = SandboxFlags.Apply(parse, new SandboxOptions
            {
                Preset = agent.Preset,
                Labels = labels,
                Envs = new Dictionary<string, string> { ["NPM_CONFIG_PREFIX"] = NpmPrefix },
            },
                // The agent installs with npm and talks to its API: it needs the internet where the provider restricts it by default.
                capabilities.Supports(Capability.NetworkPolicy) ? NetworkPolicy.Internet : null);
            var target = await ShellVerb.OpenAsync(session, null, parse.GetValue(name), parse.GetValue(keep), options, cancellationToken).ConfigureAwait(false);
            return await ShellVerb.RunAsync(session, target, Launch(agent), env, cancellationToken).ConfigureAwait(false);
        });
        return verb;
    }

    /// <summary>The terminal's program: the agent from npm's prefix, or a clear message and 127 when it is missing.</summary>
    internal static string Launch(AgentSpec agent) =>
        $"export PATH=\"$HOME/.npm-global/bin:$PATH\"; " +
        $"command -v {agent.Program} >/dev/null 2>&1 || {{ echo 'sandboxes: {agent.Program} is not installed in this sandbox (the {agent.Preset} preset installs it)' >&2; exit 127; }}; " +
        $"exec {agent.Program}";
}
