using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Generated hostile paths given to every file call, on sandboxes that planted links to the host: nothing outside the
/// sandbox is read, listed, written, created or removed; every refusal is a typed error; every call ends. Contents of
/// any bytes round-trip. Links swapped by the sandbox while the calls run change none of that.
/// </summary>
[TestFixtureSource(typeof(HostileSandboxFixture), nameof(Targets))]
public sealed class HostilePathProperties : HostileSandboxFixture
{
    public HostilePathProperties(ProviderTarget target)
        : base(target)
    {
    }

    [Test]
    public async Task Reading_listing_and_probing_hostile_paths_never_reach_the_host()
    {
        var sandbox = await CreateAsync();
        var names = await PlantAsync(sandbox, forMutation: false);
        var cases = Gen.Zip(Gen.Elements(FileOperation.Read, FileOperation.List, FileOperation.Exists), HostileInput.Path(names, Canary.HostPaths));

        Check.One(FuzzProfile.Config(ci: 80, @long: 2000), Prop.ForAll(cases.ToArbitrary(),
            c => FileCall.RunAndCheck(sandbox, Canary, Bound, c.Item1, c.Item2, [])));
    }

    [Test]
    public async Task Writing_making_and_removing_at_hostile_paths_never_reach_the_host()
    {
        var sandbox = await CreateAsync();
        var names = await PlantAsync(sandbox, forMutation: true);
        // Only the canary's own paths as host paths here: a call that escaped must land where the check looks. No part
        // names the kernel's interfaces: a write that escaped the sandbox's view must not reach them either.
        var paths = HostileInput.Path(names, [Canary.File, Canary.Directory, Canary.Directory + "/new-entry"])
            .Where(p => !p.Split('/').Any(part => part is "proc" or "sys" or "dev"));
        var cases = Gen.Zip(Gen.Elements(FileOperation.Write, FileOperation.MakeDir, FileOperation.Remove, FileOperation.Read), paths,
            (operation, path) => (Operation: operation, Path: path)).Zip(HostileInput.Content, (c, content) => (c.Operation, c.Path, Content: content));

        Check.One(FuzzProfile.Config(ci: 60, @long: 1500), Prop.ForAll(cases.ToArbitrary(),
            c => FileCall.RunAndCheck(sandbox, Canary, Bound, c.Item1, c.Item2, c.Item3)));
    }

    [Test]
    public async Task File_contents_of_any_bytes_round_trip()
    {
        var sandbox = await CreateAsync();
        var number = 0;

        Check.One(FuzzProfile.Config(ci: 12, @long: 300), Prop.ForAll(HostileInput.Content.ToArbitrary(), content =>
        {
            var path = $"/workspace/round-trip/{Interlocked.Increment(ref number)}.bin";
            var outcome = Bounded.Run(Bound, async ct =>
            {
                await sandbox.WriteFileAsync(path, content, cancellationToken: ct);
                return await sandbox.ReadFileAsync(path, ct);
            }, $"a round trip of {content.Length} bytes");
            PropertyViolation.Unless(outcome.Succeeded, outcome.ToString());
            PropertyViolation.Unless(outcome.Value!.AsSpan().SequenceEqual(content), $"{content.Length} bytes written, {outcome.Value!.Length} different bytes read");
        }));
    }

    [Test]
    public async Task Links_swapped_while_the_file_api_runs_never_lead_to_the_host()
    {
        var sandbox = await CreateAsync();
        // Two loops inside the sandbox: one swaps a link between a directory of the sandbox and the host canary (an atomic
        // rename), the other turns a directory into a link to the host and back; a third points a link at the root.
        var host = Canary.Directory;
        await sandbox.StartCommandAsync(new RunCommandRequest($"""
            mkdir -p /workspace/real && echo inside > /workspace/real/f
            while :; do
              ln -sfn /workspace/real /workspace/swap.tmp && mv -Tf /workspace/swap.tmp /workspace/swap
              ln -sfn '{host}' /workspace/swap.tmp && mv -Tf /workspace/swap.tmp /workspace/swap
            done
            """) { TimeoutSeconds = 600 });
        await sandbox.StartCommandAsync(new RunCommandRequest($"""
            while :; do
              rm -rf /workspace/flip; mkdir /workspace/flip && echo inside > /workspace/flip/f
              rm -rf /workspace/flip; ln -s '{host}' /workspace/flip
              ln -sfn / /workspace/up.tmp && mv -Tf /workspace/up.tmp /workspace/up
              ln -sfn '{host}/../../..' /workspace/up.tmp && mv -Tf /workspace/up.tmp /workspace/up
            done
            """) { TimeoutSeconds = 600 });
        await Task.Delay(300);

        var tails = new[] { string.Empty, "/f", "/" + Canary.EntryNames[0], "/" + Canary.EntryNames[1], "/" + Canary.EntryNames[1] + "/" + Canary.EntryNames[2], "/new", "/sub/new" };
        var paths = Gen.Zip(Gen.Elements("/workspace/swap", "/workspace/flip", "swap", "flip", "/workspace/up" + host, "up" + host), Gen.Elements(tails))
            .Select(p => p.Item1 + p.Item2);
        var operations = Gen.Elements(Enum.GetValues<FileOperation>());
        var cases = Gen.Zip(operations, paths, (operation, path) => (Operation: operation, Path: path))
            .Zip(Gen.Elements<byte[]>([], "written by the client"u8.ToArray()), (c, content) => (c.Operation, c.Path, Content: content));

        Check.One(FuzzProfile.Config(ci: 80, @long: 3000), Prop.ForAll(cases.ToArbitrary(),
            c => FileCall.RunAndCheck(sandbox, Canary, Bound, c.Item1, c.Item2, c.Item3)));

        await sandbox.KillAsync();
        Canary.AssertUntouched("the swaps");
    }
}
