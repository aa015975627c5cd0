using NUnit.Framework;
using Sandboxes.Testing;
using Sandboxes.Tests.Conformance;

namespace Sandboxes.Tests.E2B;

/// <summary>
/// envd's HTTP API as the adapter uses it, with Prism proxying <c>specs/e2b/envd/envd.yaml</c> in front of the emulator's
/// <c>/files</c>: query parameters, access token, multipart upload, the download's media type, and the error bodies are
/// checked against E2B's spec. The content is text, because Prism decodes bodies as UTF-8 and would mangle binary ones
/// (the conformance suite moves binary files past Prism); Connect RPC goes straight to the emulator
/// (<c>sandbox_rpc_url</c>), as no OpenAPI describes it.
/// </summary>
[TestFixture]
[Category("Prism")]
public sealed class E2BEnvdPrismTests : TargetClientFixture<E2BEnvdPrismTests.EnvdBehindPrism>
{
    private Sandbox _sandbox = null!;

    [OneTimeSetUp]
    public async Task CreateSandboxAsync()
    {
        (_sandbox, _) = await Client.CreateSandboxAsync();
    }

    [Test]
    public async Task Text_files_round_trip_through_the_spec_checked_api()
    {
        var text = "héllo from e2b\n" + new string('x', 70_000);

        await _sandbox.WriteTextAsync("/workspace/spec/check.txt", text);
        var back = await _sandbox.ReadTextAsync("/workspace/spec/check.txt");

        Assert.That(back, Is.EqualTo(text));
        Assert.That(Target.EnvdPrism.Output, Does.Contain("post /files").And.Contain("get /files"), "the file calls went through Prism");
        Assert.That(Target.EnvdPrism.Output, Does.Not.Contain("VIOLATION").And.Not.Contain("✖"), "Prism saw nothing break envd.yaml");
    }

    [Test]
    public async Task File_errors_arrive_in_the_spec_shape_and_map_to_typed_errors()
    {
        await _sandbox.MakeDirAsync("/workspace/spec-dir");

        Assert.That(async () => await _sandbox.ReadTextAsync("/workspace/spec-missing.txt"), Throws.InstanceOf<NotFoundException>());
        Assert.That(async () => await _sandbox.ReadTextAsync("/workspace/spec-dir"), Throws.InstanceOf<BadConfigException>().With.Message.Contains("directory"));
        Assert.That(async () => await _sandbox.WriteFileAsync("/workspace/x.txt", "x"u8.ToArray(), user: "no-such-user"),
            Throws.InstanceOf<UnauthorizedException>());
    }

    [Test]
    public async Task Background_command_output_is_read_back_through_the_spec_checked_api()
    {
        var handle = await _sandbox.StartCommandAsync(new RunCommandRequest("echo spec-checked; exit 4"));

        var result = await _sandbox.WaitForHandleAsync(handle.HandleId);

        Assert.That(result.Stdout, Is.EqualTo("spec-checked\n"));
        Assert.That(result.ExitCode, Is.EqualTo(4));
    }

    /// <summary>The E2B target with a second Prism, for envd.yaml, in front of the emulator's envd HTTP routes.</summary>
    /// <summary>The E2B emulator with a second Prism in front of envd's <c>/files</c>.</summary>
    public sealed class EnvdBehindPrism : EmulatorTarget
    {
        public PrismProcess EnvdPrism { get; private set; } = null!;

        public override string Name => "e2b (envd behind prism)";

        public override string Provider => "e2b";

        public override ProviderConfig Config => new()
        {
            ApiKey = Emulator.Options.ApiKey,
            BaseUrl = Prism.BaseAddress,
            Extra = new Dictionary<string, object?>
            {
                ["sandbox_url"] = EnvdPrism.BaseAddress.AbsoluteUri,
                ["sandbox_rpc_url"] = Emulator.BaseUrl.AbsoluteUri,
                ["workdir"] = "/workspace",
            },
        };

        protected override string SpecPath => "specs/e2b/openapi.yml";

        protected override Emulators.VendorEmulator CreateEmulator(Emulators.EmulatorOptions options) => new Emulators.E2B.E2BEmulator(options);

        protected override async Task StartCoreAsync()
        {
            Requires.Bubblewrap();
            await base.StartCoreAsync();
            EnvdPrism = await StartProxyAsync("specs/e2b/envd/envd.yaml", Emulator.BaseUrl);
        }
    }
}
