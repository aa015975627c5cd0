namespace Sandboxes.Tests.LostCreate;

/// <summary>How the answer to a create is lost after the provider has made the sandbox.</summary>
public enum AnswerLoss
{
    /// <summary>A proxy forwards the create, lets the target make the sandbox, and answers 502 in its place (a gateway that lost it).</summary>
    ErrorInstead,

    /// <summary>A proxy forwards the create, lets the target make the sandbox, and resets the connection instead of answering.</summary>
    ConnectionDropped,

    /// <summary>The caller cancels the create as soon as the sandbox exists (its state directory appears).</summary>
    Cancelled,

    /// <summary>The create runs out of time: its deadline is shorter than making a sandbox takes.</summary>
    TimedOut,
}
