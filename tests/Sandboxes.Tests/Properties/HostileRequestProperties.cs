using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Sandboxes.Isolation;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Generated environment names and values (per command and per sandbox), command lines of every byte and labels of
/// any string: a name that is no variable name, a NUL where none can go, is refused with a typed error; everything
/// else reaches the sandbox exactly as given (as far as UTF-8 can carry it); nothing shows the host canary; every call
/// ends within its bound.
/// </summary>
[TestFixtureSource(typeof(HostileSandboxFixture), nameof(Targets))]
public sealed partial class HostileRequestProperties : HostileSandboxFixture
{
    private Sandbox _sandbox = null!;

    public HostileRequestProperties(ProviderTarget target)
        : base(target)
    {
    }

    [OneTimeSetUp]
    public async Task CreateSandbox() => _sandbox = await CreateAsync();

    [Test]
    public void Command_environments_are_refused_with_typed_errors_or_arrive_as_given()
    {
        var environments = Gen.ListOf(Gen.Zip(HostileInput.EnvName, HostileInput.EnvValue))
            .Select(pairs => pairs.Take(4).GroupBy(p => p.Item1, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Item2, StringComparer.Ordinal));

        Check.One(FuzzProfile.Config(ci: 30, @long: 800), Prop.ForAll(environments.ToArbitrary(), env =>
        {
            var (command, echoed) = PrintCommand(env);
            var outcome = Bounded.Run(Bound, ct => _sandbox.RunCommandAsync(new RunCommandRequest(command) { Env = env, TimeoutSeconds = 20 }, ct),
                $"a command with the environment {Describe(env)}");
            CheckEnvironmentOutcome(outcome, env, echoed);
        }));
    }

    [Test]
    public void Command_lines_of_every_byte_end_within_their_bound_and_show_nothing_of_the_host()
    {
        Check.One(FuzzProfile.Config(ci: 30, @long: 800), Prop.ForAll(HostileInput.ByteString.Or(HostileInput.AnyString).ToArbitrary(), command =>
        {
            var outcome = Bounded.Run(Bound, ct => _sandbox.RunCommandAsync(new RunCommandRequest(command) { TimeoutSeconds = 5 }, ct),
                $"the command {FileCall.Printable(command)}");
            PropertyViolation.Unless(outcome.Error is null or SandboxException, $"{FileCall.Printable(command)} {outcome}\n{outcome.Error}");
            PropertyViolation.Unless(!Canary.LeaksInto(outcome.Value?.Stdout + outcome.Value?.Stderr), "a command printed the host canary");
            PropertyViolation.Unless(Canary.IsUntouched, "a command changed the host canary");
        }));
    }

    [Test]
    public void Every_byte_quoted_into_a_command_comes_back_as_it_was()
    {
        Check.One(FuzzProfile.Config(ci: 30, @long: 800), Prop.ForAll(HostileInput.ByteString.Or(HostileInput.AnyString).ToArbitrary(), text =>
        {
            var outcome = Bounded.Run(Bound, ct => _sandbox.RunCommandAsync(new RunCommandRequest("printf '%s' " + ShellQuote.Quote(text)) { TimeoutSeconds = 20 }, ct),
                $"printf of {FileCall.Printable(text)}");
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                // A NUL cannot be part of a command line: refused, never silently cut.
                PropertyViolation.Unless(outcome.Error is BadConfigException, $"a command with a NUL: {outcome}");
                return;
            }

            PropertyViolation.Unless(outcome.Succeeded, $"printf of {FileCall.Printable(text)}: {outcome}\n{outcome.Error}");
            PropertyViolation.Unless(outcome.Value!.Stdout == HostileInput.ThroughUtf8(text),
                $"printf of {FileCall.Printable(text)} gave {FileCall.Printable(outcome.Value.Stdout)} (stderr {outcome.Value.Stderr})");
        }));
    }

    [Test]
    public void Labels_and_sandbox_environments_are_refused_with_typed_errors_or_kept_as_given()
    {
        var requests = Gen.Zip(HostileInput.Labels, Gen.ListOf(Gen.Zip(HostileInput.EnvName, HostileInput.EnvValue)))
            .Select(p => (Labels: p.Item1, Env: p.Item2.Take(3).GroupBy(e => e.Item1, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Item2, StringComparer.Ordinal)));

        Check.One(FuzzProfile.Config(ci: 5, @long: 150), Prop.ForAll(requests.ToArbitrary(), request =>
        {
            var outcome = Bounded.Run(Bound * 2, async ct =>
            {
                var sandbox = await CreateAsync(new CreateSandboxRequest { Labels = request.Labels, Envs = request.Env }, ct);
                try
                {
                    var info = await Client.ListSandboxesAsync(cancellationToken: ct);
                    var (command, _) = PrintCommand(request.Env);
                    var printed = await sandbox.RunCommandAsync(new RunCommandRequest(command) { TimeoutSeconds = 20 }, ct);
                    return (Info: info.Single(i => i.Id == sandbox.Id), Printed: printed);
                }
                finally
                {
                    await sandbox.KillAsync(CancellationToken.None);
                }
            }, $"a sandbox labelled {Describe(request.Labels)} with the environment {Describe(request.Env)}");

            PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{outcome}\n{outcome.Error}");
            var badEnvironment = request.Env.Any(e => !IsVariableName(e.Key) || e.Value.Contains('\0', StringComparison.Ordinal));
            if (badEnvironment)
            {
                PropertyViolation.Unless(outcome.Error is BadConfigException, $"an environment {Describe(request.Env)} that cannot be set was not refused: {outcome}");
                return;
            }

            if (outcome.Error is not null)
            {
                // Labels the engine will not take are refused; which ones is the engine's choice, the type is not.
                PropertyViolation.Unless(Target is DockerTarget && outcome.Error is BadConfigException or ProviderException,
                    $"labels {Describe(request.Labels)} refused with {outcome}");
                return;
            }

            var expected = request.Labels.ToDictionary(l => HostileInput.ThroughUtf8(l.Key), l => HostileInput.ThroughUtf8(l.Value), StringComparer.Ordinal);
            var kept = outcome.Value.Info.Labels ?? new Dictionary<string, string>();
            PropertyViolation.Unless(kept.Count == expected.Count && expected.All(l => kept.TryGetValue(l.Key, out var v) && v == l.Value),
                $"{Target.Name}: labels {Describe(request.Labels)} came back as {Describe(kept)}");
            var (_, echoed) = PrintCommand(request.Env);
            PropertyViolation.Unless(SetsShellVariables(request.Env) || outcome.Value.Printed.Stdout == echoed, $"the sandbox's environment {Describe(request.Env)} printed {FileCall.Printable(outcome.Value.Printed.Stdout)}");
        }));
    }

    private void CheckEnvironmentOutcome(Outcome<CommandResult> outcome, Dictionary<string, string> env, string echoed)
    {
        PropertyViolation.Unless(outcome.IsResultOrTypedError, $"{Describe(env)} {outcome}\n{outcome.Error}");
        if (env.Any(e => !IsVariableName(e.Key) || e.Value.Contains('\0', StringComparison.Ordinal)))
        {
            PropertyViolation.Unless(outcome.Error is BadConfigException, $"an environment {Describe(env)} that cannot be set was not refused: {outcome}");
            return;
        }

        PropertyViolation.Unless(outcome.Succeeded, $"{Describe(env)} {outcome}\n{outcome.Error}");
        PropertyViolation.Unless(!Canary.LeaksInto(outcome.Value!.Stdout + outcome.Value.Stderr), "the command printed the host canary");
        if (SetsShellVariables(env))
        {
            // The shell reads these at start (dash refuses an OPTIND that is no number, IFS changes word splitting):
            // they arrive, but what the command then prints is the shell's business.
            return;
        }

        PropertyViolation.Unless(outcome.Value.Stdout == echoed, $"{Describe(env)} printed {FileCall.Printable(outcome.Value.Stdout)}, not {FileCall.Printable(echoed)}");
    }

    /// <summary>True when <paramref name="env"/> sets a variable the shell or the loader gives a meaning of its own.</summary>
    private static bool SetsShellVariables(IReadOnlyDictionary<string, string> env) =>
        env.Keys.Any(name => HostileInput.SpecialEnvNames.Contains(name, StringComparer.Ordinal));

    /// <summary>
    /// A command printing each variable of <paramref name="env"/> that is an ordinary name (the shell's and the loader's
    /// own are set but not compared), NUL-separated, and what it must print.
    /// </summary>
    private static (string Command, string Echoed) PrintCommand(IReadOnlyDictionary<string, string> env)
    {
        var command = new StringBuilder("true");
        var echoed = new StringBuilder();
        foreach (var (name, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (IsVariableName(name) && !HostileInput.SpecialEnvNames.Contains(name, StringComparer.Ordinal))
            {
                command.Append("; printf '%s|' \"$").Append(name).Append('"');
                echoed.Append(HostileInput.ThroughUtf8(value)).Append('|');
            }
        }

        return (command.ToString(), echoed.ToString());
    }

    private static bool IsVariableName(string name) => VariableName().IsMatch(name);

    private static string Describe(IReadOnlyDictionary<string, string> pairs) =>
        "{" + string.Join(", ", pairs.Select(p => "\"" + FileCall.Printable(p.Key) + "\": \"" + FileCall.Printable(p.Value) + "\"")) + "}";

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex VariableName();
}
