using NUnit.Framework;

namespace UserCode
{
    using Sandboxes;

    /// <summary>
    /// The public shape as a user's own project sees it: code in its own namespace with <c>using Sandboxes;</c>,
    /// compiled against the library. It shows why configuration is <c>Sandbox.Configure</c>: <c>Sandboxes.Configure</c>
    /// names the namespace, so no static class of that name could be reached.
    /// </summary>
    [TestFixture]
    [NonParallelizable] // configures the process-wide static entry points
    public sealed class UserCodeTests
    {
        private const string Prelude = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Sandboxes;
            namespace MyApp;
            public static class Program
            {
                public static async Task Main()
                {
            """;

        [Test]
        public void The_documented_calls_compile_in_user_code()
        {
            var errors = Compile("""
                Sandbox.Configure(o => { o.DefaultProvider = "local"; o.Fallback = ["local"]; o.Resilience.Retry.MaxRetryAttempts = 5; });
                var r = await Sandbox.RunAsync("echo hi");
                var rs = await Sandbox.RunManyAsync(["pip --version", "python3 -V"], provider: "local");
                await using var sb = await Sandbox.CreateAsync(new SandboxOptions {
                    Provider = "e2b", Fallback = ["daytona", "local"], Labels = new Dictionary<string, string> { ["project"] = "ml" },
                    Image = "python:3.12-slim", Preset = "python-data-science" });
                var same = await Sandbox.GetOrCreateAsync(new Dictionary<string, string> { ["project"] = "ml" });
                var found = await Sandbox.FindAsync(new Dictionary<string, string> { ["project"] = "ml" });
                await sb.RunCommandAsync("python3 analyze.py"); await sb.RunCommandsAsync(["a", "b"]);
                await foreach (var line in sb.StreamCommandAsync("for i in 1 2 3; do echo $i; sleep 1; done").ReadLinesAsync()) { }
                await sb.UploadAsync("data.csv", "/workspace/data.csv"); await sb.DownloadAsync("/workspace/out", "./out");
                Sandbox.RegisterPreset(new SandboxPreset("my-stack") { SetupCommands = ["pip install x"], MemoryMb = 4096 });
                await using var pool = await SandboxPool.CreateAsync(new SandboxPoolOptions { MinSize = 1, MaxSize = 2 });
                await using var lease = await pool.AcquireAsync();
                """);

            Assert.That(errors, Is.Empty);
        }

        [Test]
        public void Sandboxes_Configure_would_name_the_namespace()
        {
            var errors = Compile("""Sandboxes.Configure(o => o.DefaultProvider = "local");""");

            Assert.That(errors, Has.Some.Contain("CS0234"), "Sandboxes.Configure resolves to the namespace Sandboxes");
        }

        [Test]
        public async Task A_user_namespace_reaches_the_entry_points()
        {
            Sandbox.Configure(o =>
            {
                o.DefaultProvider = "local";
                o.UseConfigFile = false;
                o.ConfigureProvider("local", Sandboxes.Tests.TestEnvironment.LocalConfig());
            });

            var result = await Sandbox.RunAsync("echo from user code");

            Assert.That(result.Stdout, Is.EqualTo("from user code\n"));
        }

        private static List<string> Compile(string body) => Sandboxes.Tests.UserCompilation.Errors(Prelude + body + "\n    }\n}\n");
    }
}
