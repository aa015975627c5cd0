using System.Diagnostics;
using System.Text;

namespace Sandboxes.CodeExecution;

/// <summary>
/// Collects what one run of code produced (text, rich outputs, the error) and passes each piece to the request's
/// callbacks as it arrives. Fed from the stdout and stderr pumps, possibly on different threads.
/// </summary>
internal sealed class ExecutionBuilder
{
    private readonly object _gate = new();
    private readonly RunCodeRequest _request;
    private readonly CodeLanguage _language;
    private readonly string? _contextId;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<MimeBundle> _results = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private ExecutionError? _error;

    public ExecutionBuilder(RunCodeRequest request, CodeLanguage language, string? contextId)
    {
        _request = request;
        _language = language;
        _contextId = contextId;
    }

    /// <summary>True once the driver said the language's runtime is missing.</summary>
    public bool RuntimeMissing { get; private set; }

    /// <summary>True once the driver said the code did not compile (its compiler's output is on stderr).</summary>
    public bool CompileFailed { get; private set; }

    /// <summary>The status a shell context reported for the request's last command, if any.</summary>
    public int? ReportedExit { get; private set; }

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public void AddStdout(string text)
    {
        lock (_gate)
        {
            _stdout.Append(text);
            _request.OnStdout?.Invoke(text);
        }
    }

    public void AddStderr(string text)
    {
        lock (_gate)
        {
            _stderr.Append(text);
            _request.OnStderr?.Invoke(text);
        }
    }

    public void AddResult(MimeBundle bundle)
    {
        lock (_gate)
        {
            _results.Add(bundle);
            _request.OnResult?.Invoke(bundle);
        }
    }

    public void SetError(ExecutionError error)
    {
        lock (_gate)
        {
            _error ??= error;
        }
    }

    /// <summary>Applies a driver event that concerns the run (display, error, missing, compile_error, end).</summary>
    public void Apply(ControlEvent e)
    {
        switch (e.Type)
        {
            case "display" when e.Bundle() is { } bundle:
                AddResult(bundle);
                break;
            case "error":
                SetError(e.Error());
                break;
            case "missing":
                RuntimeMissing = true;
                break;
            case "compile_error":
                CompileFailed = true;
                break;
            case "end" when e.Int("exit") is { } exit:
                ReportedExit = exit;
                break;
        }
    }

    /// <summary>The result, with <paramref name="exitCode"/> as its exit code.</summary>
    public ExecutionResult Build(int exitCode)
    {
        lock (_gate)
        {
            var stderr = _stderr.ToString();
            var error = _error;
            if (error is null && CompileFailed)
            {
                // Go starts with "# package"; the first real line is the first error.
                var first = stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#')) ?? "compilation failed";
                error = new ExecutionError("CompileError", first, stderr);
            }

            return new ExecutionResult
            {
                Stdout = _stdout.ToString(),
                Stderr = stderr,
                ExitCode = exitCode,
                Error = error,
                Results = _results.ToList(),
                Language = _language,
                ContextId = _contextId,
                Duration = Stopwatch.GetElapsedTime(_started),
            };
        }
    }
}
