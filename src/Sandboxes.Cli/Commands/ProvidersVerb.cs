using System.CommandLine;
using System.Text.Json.Nodes;
using Sandboxes.Cli.Help;
using Sandboxes.Cli.Output;
using Spectre.Console;

namespace Sandboxes.Cli.Commands;

/// <summary>
/// <c>sandboxes providers</c>: every registered provider, whether its credentials are present here (environment or
/// config file, never showing them), which one is the default and why, and the capability matrix; <c>providers NAME</c>
/// shows one provider's capabilities with their notes. <c>--json</c> is the library's matrix JSON with the same facts.
/// </summary>
internal static class ProvidersVerb
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "Show this provider's capabilities with notes", Arity = ArgumentArity.ZeroOrOne };
        var verb = new Command("providers", "Show providers, their credentials here and what each can do.").WithExamples(
            "sandboxes providers",
            "sandboxes providers local",
            "sandboxes providers --json | jq '.providers[] | select(.credentials.status == \"configured\") | .id'");
        verb.Add(name);
        verb.Options.Add(CliContext.Json);
        verb.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = CliSession.Open(null, quiet: true);
            var resolution = session.Resolve();
            var matrix = parse.GetValue(name) is { } one
                ? new CapabilityMatrix([SandboxProviders.Describe(one)])
                : CapabilityMatrix.ForRegisteredProviders();
            if (parse.GetValue(CliContext.Json))
            {
                CliConsole.WriteJson(ToJson(matrix, session, resolution));
            }
            else if (matrix.Providers.Count == 1 && parse.GetValue(name) is not null)
            {
                PrintProvider(matrix.Providers[0], session, resolution);
            }
            else
            {
                PrintAll(matrix, session, resolution);
            }

            return ExitCodes.Ok;
        });
        return verb;
    }

    /// <summary>The matrix JSON, with credential status as the resolver sees it (config file included) and the default provider.</summary>
    internal static JsonNode ToJson(CapabilityMatrix matrix, CliSession session, ProviderResolution resolution)
    {
        var json = JsonNode.Parse(matrix.ToJson(new CapabilityMatrixOptions { IncludeCredentialStatus = true }))!;
        foreach (var provider in json["providers"]!.AsArray())
        {
            var descriptor = SandboxProviders.Describe(provider!["id"]!.GetValue<string>());
            var credentials = provider["credentials"]!.AsObject();
            credentials["status"] = StatusName(Status(descriptor, session));
            credentials["source"] = session.CredentialSource(descriptor);
            provider["default"] = string.Equals(descriptor.Id, resolution.Provider, StringComparison.OrdinalIgnoreCase);
        }

        json["defaultProvider"] = new JsonObject
        {
            ["id"] = resolution.Provider,
            ["source"] = resolution.Source.ToString(),
            ["reason"] = resolution.Reason,
        };
        return json;
    }

    private static void PrintAll(CapabilityMatrix matrix, CliSession session, ProviderResolution resolution)
    {
        var providers = Tables.Create("PROVIDER", "ID", "CREDENTIALS", "HERE", "DEFAULT");
        foreach (var p in matrix.Providers)
        {
            var isDefault = string.Equals(p.Id, resolution.Provider, StringComparison.OrdinalIgnoreCase);
            providers.AddRow(Tables.Cell(p.DisplayName), Tables.Cell(p.Id), Tables.Cell(CredentialNames(p)), StatusCell(p, session),
                isDefault ? Tables.Cell("default", "bold") : Tables.Cell(""));
        }

        var console = CliConsole.Stdout;
        Tables.Write(providers);
        console.WriteLine($"Default provider: {resolution.Provider} ({resolution.Reason}).");
        console.WriteLine();

        var capabilities = Tables.Create(["CAPABILITY", .. matrix.Providers.Select(p => p.Id)]);
        foreach (var capability in matrix.Capabilities)
        {
            capabilities.AddRow([Tables.Cell(capability.Id), .. matrix.Providers.Select(p => SupportCell(p.Capabilities.Get(capability).Support))]);
        }

        Tables.Write(capabilities);
        console.WriteLine("native: the provider's API does it; emulated: the library builds it; —: not supported (FeatureNotSupportedException).");
        console.WriteLine("`sandboxes providers NAME` shows one provider with notes; --json has everything.");
    }

    private static void PrintProvider(ProviderDescriptor p, CliSession session, ProviderResolution resolution)
    {
        var console = CliConsole.Stdout;
        console.WriteLine($"{p.DisplayName} ({p.Id}){(string.Equals(p.Id, resolution.Provider, StringComparison.OrdinalIgnoreCase) ? ", the default provider" : "")}");
        if (p.Description is { } description)
        {
            console.WriteLine(description);
        }

        console.WriteLine($"Credentials: {CredentialNames(p)}; here: {StatusText(p, session)}.");
        if (p.SettingVariables.Count + p.SettingKeys.Count > 0)
        {
            var settings = new List<string>();
            if (p.SettingVariables.Count > 0)
            {
                settings.Add($"{string.Join(", ", p.SettingVariables)} (environment)");
            }

            if (p.SettingKeys.Count > 0)
            {
                settings.Add($"{string.Join(", ", p.SettingKeys)} (under providers.{p.Id} in the config file)");
            }

            console.WriteLine($"Settings: {string.Join("; ", settings)}.");
        }

        var table = Tables.Create("CAPABILITY", "SUPPORT", "NOTE");
        foreach (var entry in p.Capabilities)
        {
            table.AddRow(Tables.Cell(entry.Capability.Id), SupportCell(entry.Support), Tables.Cell(entry.Note ?? ""));
        }

        Tables.Write(table);
    }

    private static CredentialStatus Status(ProviderDescriptor descriptor, CliSession session) => session.CredentialStatus(descriptor);

    private static string StatusName(CredentialStatus status) => status switch
    {
        CredentialStatus.Configured => "configured",
        CredentialStatus.NotNeeded => "not-needed",
        _ => "missing",
    };

    private static string StatusText(ProviderDescriptor p, CliSession session) => Status(p, session) switch
    {
        CredentialStatus.Configured => $"configured ({session.CredentialSource(p)})",
        CredentialStatus.NotNeeded => "not needed",
        _ => $"missing: set {string.Join(" or ", p.CredentialVariables)}",
    };

    private static Spectre.Console.Rendering.IRenderable StatusCell(ProviderDescriptor p, CliSession session) => Status(p, session) switch
    {
        CredentialStatus.Configured => Tables.Cell(StatusText(p, session), "green"),
        CredentialStatus.NotNeeded => Tables.Cell(StatusText(p, session), "grey"),
        _ => Tables.Cell(StatusText(p, session), "red"),
    };

    private static Spectre.Console.Rendering.IRenderable SupportCell(CapabilitySupport support) => support switch
    {
        CapabilitySupport.Native => Tables.Cell("native", "green"),
        CapabilitySupport.Emulated => Tables.Cell("emulated", "yellow"),
        _ => Tables.Cell("—", "grey"),
    };

    private static string CredentialNames(ProviderDescriptor p)
    {
        if (p.CredentialVariables.Count == 0)
        {
            return "none";
        }

        var names = string.Join(" or ", p.CredentialVariables);
        return p.CredentialsOptional ? "optional: " + names : names;
    }
}
