using NUnit.Framework;

namespace Sandboxes.Tests.Local;

/// <summary>
/// A consumer slower than the command: the stream pauses and resumes many times, and every byte still arrives. A lost
/// resume would leave the command blocked on a full pipe and the stream waiting forever.
/// </summary>
public sealed class StreamingBackpressureTests
{
    [Test]
    public async Task A_slow_consumer_of_a_large_stream_gets_every_byte_and_the_exit()
    {
        const int Bytes = 128 * 1024 * 1024;
        await using var client = new Sandboxer("local", TestEnvironment.LocalConfig());
        var (sandbox, info) = await client.CreateSandboxAsync();
        LeakCheck.Record(info.Id);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        long received = 0;
        var events = 0;
        int? exit = null;
        await foreach (var e in sandbox.StreamCommandAsync(new RunCommandRequest($"head -c {Bytes} /dev/zero | tr '\\0' x"), deadline.Token))
        {
            if (e.Kind == CommandEventKind.Stdout)
            {
                received += e.Text!.Length;
                // Yield often and sleep now and then, so the bounded buffer fills and drains over and over.
                if (++events % 16 == 0)
                {
                    await Task.Delay(1, deadline.Token);
                }
                else
                {
                    await Task.Yield();
                }
            }
            else if (e.Kind == CommandEventKind.Exit)
            {
                exit = e.ExitCode;
            }
        }

        Assert.That(received, Is.EqualTo(Bytes));
        Assert.That(exit, Is.EqualTo(0));
        await sandbox.KillAsync();
    }
}
