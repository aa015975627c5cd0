using System.Diagnostics;

namespace Sandboxes.Testing;

/// <summary>Runs a program that tests call (dotnet, a packed tool) to its end within a limit, collecting its output.</summary>
public static class ExternalProcess
{
    /// <summary>
    /// Starts <paramref name="start"/> with its output redirected, waits at most <paramref name="limit"/>, and returns its
    /// exit code and output. A program still running at the limit is killed with its children.
    /// </summary>
    /// <exception cref="TimeoutException">The program did not finish in time; the message holds its stderr so far.</exception>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {limit.TotalMinutes:0.#} minutes; stderr so far: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
