using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.LostCreate;

/// <summary>
/// Every provider target with every way its creates can lose their answers, for <c>[TestFixtureSource]</c>: on the wire
/// for the HTTP providers, by cancellation and deadline for the local one (which has no wire).
/// </summary>
public static class LostCreateCases
{
    /// <summary>One fixture per target and way, in the target's category.</summary>
    public static IEnumerable<TestFixtureData> Fixtures()
    {
        foreach (var target in ProviderTargets.All)
        {
            AnswerLoss[] losses = target is LocalTarget
                ? [AnswerLoss.Cancelled, AnswerLoss.TimedOut]
                : [AnswerLoss.ErrorInstead, AnswerLoss.ConnectionDropped];
            foreach (var loss in losses)
            {
                var fixture = new TestFixtureData(target, loss).SetArgDisplayNames(target.Name, loss.ToString());
                if (target.Category is { } category)
                {
                    fixture.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, category);
                }

                yield return fixture;
            }
        }
    }

    /// <summary>The rig that loses the answers of <paramref name="target"/>'s creates.</summary>
    public static LostAnswerRig RigFor(ProviderTarget target) => target switch
    {
        LocalTarget => new LocalRig(),
        DockerTarget docker => new DockerRig(docker),
        JupyterTarget => new JupyterRig(),
        E2BTarget e2b => new E2BRig(e2b),
        DaytonaTarget daytona => new DaytonaRig(daytona),
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "No rig loses this target's answers yet."),
    };
}
