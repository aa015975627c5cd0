using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Testing;

/// <summary>
/// A running Prism (<c>prism mock</c> or <c>prism proxy</c>) on a free 127.0.0.1 port: started, waited for until it
/// answers, and killed with its whole process tree on dispose. Its output is kept for failure messages.
/// <code>
/// await using var prism = await PrismProcess.StartMockAsync("specs/e2b/openapi.yml");
/// var client = RestService.ForGenerated<IE2BApi>(new HttpClient { BaseAddress = prism.BaseAddress }, RefitSettings.ForJsonContext(E2BJsonContext.Default));
/// </code>
/// </summary>
public sealed class PrismProcess : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private PrismProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The port Prism listens on.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Everything Prism wrote so far (stdout and stderr, interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>True while the Prism process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>
    /// Starts <c>prism mock SPEC</c>: it answers from the spec's examples (or schema-derived values) and with 422 to a
    /// request that breaks the spec. A relative <paramref name="specPath"/> is taken from the repository root.
    /// </summary>
    public static Task<PrismProcess> StartMockAsync(string specPath, TimeSpan? startupTimeout = null, CancellationToken cancellationToken = default,
        params string[] extraArguments) =>
        StartAsync(["mock", ResolveSpec(specPath), .. extraArguments], startupTimeout, cancellationToken);

    /// <summary>
    /// Starts <c>prism proxy SPEC UPSTREAM --errors</c>: it forwards to <paramref name="upstream"/> and fails (422 / 500
    /// with the violations) on any request or response that breaks the spec.
    /// </summary>
    public static Task<PrismProcess> StartProxyAsync(string specPath, Uri upstream, TimeSpan? startupTimeout = null,
        CancellationToken cancellationToken = default, params string[] extraArguments)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return StartAsync(["proxy", ResolveSpec(specPath), upstream.AbsoluteUri.TrimEnd('/'), "--errors", .. extraArguments], startupTimeout, cancellationToken);
    }

    /// <summary>Starts Prism with <paramref name="arguments"/> plus <c>-p PORT -h 127.0.0.1</c>, retrying on a port race.</summary>
    public static async Task<PrismProcess> StartAsync(IReadOnlyList<string> arguments, TimeSpan? startupTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var prism = Requires.Prism();
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var instance = Launch(prism, arguments, FreePort());
            try
            {
                await instance.WaitUntilAnsweringAsync(startupTimeout ?? TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
                return instance;
            }
            catch (Exception e) when (e is InvalidOperationException && instance.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                last = e;
                await instance.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await instance.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        throw new InvalidOperationException("Prism could not find a free port.", last);
    }

    /// <summary>Kills Prism and its children.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static string ResolveSpec(string specPath)
    {
        var path = Path.IsPathRooted(specPath) ? specPath : Path.Combine(Requires.RepositoryRoot, specPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("The spec for Prism does not exist.", path);
        }

        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static PrismProcess Launch(string prism, IReadOnlyList<string> arguments, int port)
    {
        var start = new ProcessStartInfo(prism)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Requires.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add("127.0.0.1");
        start.Environment["NO_COLOR"] = "1";
        start.Environment["FORCE_COLOR"] = "0";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var instance = new PrismProcess(process, port);
        process.OutputDataReceived += (_, e) => instance.Append(e.Data);
        process.ErrorDataReceived += (_, e) => instance.Append(e.Data);
        process.Exited += (_, _) => instance._listening.TrySetException(new InvalidOperationException("Prism exited early."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return instance;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("is listening on", StringComparison.OrdinalIgnoreCase))
        {
            _listening.TrySetResult();
        }
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _listening.Task.WaitAsync(timeoutSource.Token).ConfigureAwait(false);

            // The log line comes just before the socket accepts; make sure it does.
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, Port, timeoutSource.Token).ConfigureAwait(false);
                    return;
                }
                catch (SocketException)
                {
                    await Task.Delay(100, timeoutSource.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Prism did not answer on port {Port} within {timeout.TotalSeconds:F0} s. Output:\n{Output}");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message} Output:\n{Output}", e);
        }
    }
}
