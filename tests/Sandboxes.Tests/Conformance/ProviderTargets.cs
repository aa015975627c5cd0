using NUnit.Framework;

namespace Sandboxes.Tests.Conformance;

/// <summary>
/// Every target the conformance suite runs against. A provider joins the suite by adding its target here; the suite
/// itself is written once.
/// </summary>
public static class ProviderTargets
{
    /// <summary>All targets.</summary>
    public static IReadOnlyList<ProviderTarget> All { get; } =
    [
        new LocalTarget(),
        new DockerTarget(),
        new JupyterTarget(),
        new E2BTarget(),
        new DaytonaTarget(),
    ];

    /// <summary>Each target with each API flavour, for <c>[TestFixtureSource]</c>.</summary>
    public static IEnumerable<TestFixtureData> Fixtures()
    {
        foreach (var target in All)
        {
            foreach (var mode in new[] { ApiMode.Sync, ApiMode.Async })
            {
                var fixture = new TestFixtureData(target, mode).SetArgDisplayNames(target.Name, mode.ToString().ToLowerInvariant());
                if (target.Category is { } category)
                {
                    fixture.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, category);
                }

                yield return fixture;
            }
        }
    }

    /// <summary>Stops every started target (end of the run).</summary>
    public static async Task StopAllAsync()
    {
        foreach (var target in All)
        {
            await target.StopAsync();
        }
    }
}
