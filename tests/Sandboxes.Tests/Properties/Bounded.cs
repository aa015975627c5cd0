using System.Diagnostics;

namespace Sandboxes.Tests.Properties;

/// <summary>
/// Runs a call on hostile input with a deadline: it must end, with a result or an error, well within the bound. A call
/// still running at the bound is a hang, a <see cref="PropertyViolation"/> (it is not waited for any longer).
/// </summary>
public static class Bounded
{
    /// <summary>Runs <paramref name="call"/>; its token is cancelled at the bound, and the call must have ended a grace later.</summary>
    public static Outcome<T> Run<T>(TimeSpan bound, Func<CancellationToken, Task<T>> call, string what)
    {
        using var cancel = new CancellationTokenSource(bound);
        var watch = Stopwatch.StartNew();
        // Run on the pool: a call that blocks synchronously before its first await is bounded as well.
        var task = Task.Run(() => call(cancel.Token), CancellationToken.None);
        if (Task.WhenAny(task, Task.Delay(bound + Grace(bound))).GetAwaiter().GetResult() != task)
        {
            throw new PropertyViolation($"{what} did not end within {bound + Grace(bound)} (a hang).");
        }

        if (task.IsCompletedSuccessfully)
        {
            return new Outcome<T>(task.Result, null);
        }

        var error = task.Exception?.InnerExceptions.Count == 1 ? task.Exception.InnerException! : (Exception?)task.Exception ?? new TaskCanceledException(task);
        if (error is OperationCanceledException && cancel.IsCancellationRequested)
        {
            throw new PropertyViolation($"{what} was still running at its bound of {bound} ({watch.Elapsed:g} elapsed): a hang.");
        }

        return new Outcome<T>(default, error);
    }

    /// <summary>Runs a call that returns nothing.</summary>
    public static Outcome<bool> Run(TimeSpan bound, Func<CancellationToken, Task> call, string what) =>
        Run(bound, async ct =>
        {
            await call(ct);
            return true;
        }, what);

    // Time for a cancelled call to unwind before it counts as a hang.
    private static TimeSpan Grace(TimeSpan bound) => TimeSpan.FromTicks(Math.Max(bound.Ticks / 2, TimeSpan.FromSeconds(2).Ticks));
}
