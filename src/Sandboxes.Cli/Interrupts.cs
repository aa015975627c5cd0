using System.Runtime.InteropServices;

namespace Sandboxes.Cli;

/// <summary>
/// Turns SIGINT, SIGTERM, SIGHUP and SIGQUIT into one cancellation: the running verb stops, its cleanup runs (a
/// sandbox that is not kept is destroyed, the terminal is restored) and the tool exits with 128 + the signal number.
/// A second signal while cleaning up exits at once, as impatient users expect.
/// </summary>
internal static class Interrupts
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static int _exitCode = ExitCodes.Interrupted;

    /// <summary>Cancelled by the first signal.</summary>
    public static CancellationToken Token => Source.Token;

    /// <summary>The exit code for the signal that cancelled <see cref="Token"/> (130 when none did).</summary>
    public static int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>Installs the handlers; once per process.</summary>
    public static void Install()
    {
        lock (Registrations)
        {
            if (Registrations.Count > 0)
            {
                return;
            }

            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => OnSignal(c, ExitCodes.Interrupted)));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, ExitCodes.Terminated)));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => OnSignal(c, ExitCodes.HungUp)));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => OnSignal(c, ExitCodes.Quit)));
        }
    }

    private static void OnSignal(PosixSignalContext context, int exitCode)
    {
        context.Cancel = true;
        if (Source.IsCancellationRequested)
        {
            // Cleanup is taking too long for the user: leave now. Kept or not, what is left shows in `sandboxes list`.
            TryWriteError("sandboxes: interrupted again, exiting without cleaning up (`sandboxes list` shows what is left)");
            Environment.Exit(exitCode);
        }

        Volatile.Write(ref _exitCode, exitCode);
        Source.Cancel();
    }

    private static void TryWriteError(string line)
    {
        try
        {
            Console.Error.WriteLine(line);
        }
        catch (IOException)
        {
            // The terminal may be gone (SIGHUP).
        }
    }
}
