namespace Sandboxes;

/// <summary>A pseudo-terminal open in a sandbox.</summary>
/// <param name="Pid">The pid of the program on the terminal, inside the sandbox.</param>
/// <param name="Rows">Rows.</param>
/// <param name="Cols">Columns.</param>
public sealed record PtyInfo(int Pid, int Rows, int Cols);
