using Microsoft.Extensions.Hosting;

namespace Sandboxes.Emulators.Daytona;

/// <summary>Daytona's clock: destroys sandboxes whose <c>ttlMinutes</c> have run out (minutes of the emulator's length).</summary>
internal sealed class DaytonaTimers(DaytonaEmulator emulator) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var sandbox in emulator.Sandboxes)
            {
                if (sandbox.AutoDestroyAt is { } at && at <= DateTimeOffset.UtcNow && !sandbox.IsGone)
                {
                    await emulator.DestroyAsync(sandbox);
                }
            }
        }
    }
}
