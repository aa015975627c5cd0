namespace Sandboxes.Cli.Commands;

/// <summary>A coding agent the tool can start in a sandbox: its verb, the preset that installs it, its program and its API key's variable.</summary>
/// <param name="Verb">The verb (<c>claude</c>).</param>
/// <param name="DisplayName">The agent's name for messages.</param>
/// <param name="Preset">The preset that installs it.</param>
/// <param name="Program">The program to run on the terminal.</param>
/// <param name="KeyVariable">The environment variable holding its API key.</param>
internal sealed record AgentSpec(string Verb, string DisplayName, string Preset, string Program, string KeyVariable);
