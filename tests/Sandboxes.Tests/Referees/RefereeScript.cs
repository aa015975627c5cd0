using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Tests.Referees;

/// <summary>Runs a vendor client's script (scripts/referees) with Node.js and reads what each of its steps printed.</summary>
public static class RefereeScript
{
    /// <summary>Runs <paramref name="script"/> of scripts/referees where <paramref name="package"/> is installed; its JSON lines by step.</summary>
    public static async Task<Dictionary<string, JsonElement>> RunAsync(string package, string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node")
        {
            // From standard input, so that the client resolves from the directory the set-up installed it in.
            WorkingDirectory = Requires.Referee(package),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "--input-type=module" },
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(Path.Combine(Requires.RepositoryRoot, "scripts", "referees", script)));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{script} did not finish in 3 minutes; stdout: {await stdout}\nstderr: {await stderr}");
        }

        Assert.That(process.ExitCode, Is.Zero, $"{script} failed: {await stderr}\nstdout: {await stdout}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(e => e.GetProperty("step").GetString()!, e => e.GetProperty("value").Clone());
    }
}
