namespace Sandboxes;

/// <summary>The error raised by code: its type, its message and the traceback as the language prints it.</summary>
/// <param name="Name">The error's type, for example <c>ZeroDivisionError</c>, <c>TypeError</c> or <c>CompileError</c>.</param>
/// <param name="Value">Its message, for example <c>division by zero</c>.</param>
/// <param name="Traceback">The traceback (or compiler output) as plain text, without terminal colours.</param>
public sealed record ExecutionError(string Name, string Value, string Traceback)
{
    /// <inheritdoc />
    public override string ToString() => string.IsNullOrEmpty(Value) ? Name : $"{Name}: {Value}";
}
