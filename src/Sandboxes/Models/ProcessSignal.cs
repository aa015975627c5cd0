namespace Sandboxes;

/// <summary>Signals that can be sent to a process in a sandbox (Linux numbering).</summary>
public enum ProcessSignal
{
    /// <summary>Hang up.</summary>
    Hangup = 1,

    /// <summary>Interrupt, as Ctrl-C.</summary>
    Interrupt = 2,

    /// <summary>Quit.</summary>
    Quit = 3,

    /// <summary>Kill, cannot be caught.</summary>
    Kill = 9,

    /// <summary>User signal 1.</summary>
    User1 = 10,

    /// <summary>User signal 2.</summary>
    User2 = 12,

    /// <summary>Polite termination request (the default).</summary>
    Terminate = 15,

    /// <summary>Continue a stopped process.</summary>
    Continue = 18,

    /// <summary>Stop, cannot be caught.</summary>
    Stop = 19,
}
