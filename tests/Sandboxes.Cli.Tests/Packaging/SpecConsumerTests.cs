using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using NUnit.Framework;

namespace Sandboxes.Cli.Tests.Packaging;

/// <summary>
/// "Drop in a spec, get a Refit client", as a user of the package does it: a throwaway project references the packed
/// <c>Sandboxes</c> package (and Refit.HttpClientFactory), adds one <c>SandboxesSpec</c> line for an OpenAPI file this
/// repository does not ship, and calls a local HTTP server through the interface the build made, with
/// <c>RestService.For</c>, <c>RestService.ForGenerated</c> and Refit.HttpClientFactory's <c>AddRefitGeneratedClient</c>
/// (its <c>AddRefitClient</c> builds requests by reflection, which Refit 16.4 leaves to the Refit.Reflection package).
/// The test checks each request on the wire and the responses the program read.
/// </summary>
[TestFixture]
public sealed class SpecConsumerTests
{
    /// <summary>A spec written for this test only: path, query (exploded array, integer, boolean) and header parameters, a JSON body, an enum.</summary>
    private const string Spec = """
        openapi: 3.0.3
        info: { title: Inventory API, version: '1.0' }
        servers: [{ url: 'https://inventory.example.test/v1' }]
        paths:
          /stores/{storeId}/items:
            post:
              operationId: addItem
              parameters:
                - { name: storeId, in: path, required: true, schema: { type: string } }
                - { name: X-Request-Id, in: header, required: true, schema: { type: string } }
                - { name: dryRun, in: query, schema: { type: boolean } }
              requestBody:
                required: true
                content:
                  application/json: { schema: { $ref: '#/components/schemas/NewItem' } }
              responses:
                '201':
                  description: created
                  content:
                    application/json: { schema: { $ref: '#/components/schemas/Item' } }
            get:
              operationId: listItems
              parameters:
                - { name: storeId, in: path, required: true, schema: { type: string } }
                - { name: tag, in: query, style: form, explode: true, schema: { type: array, items: { type: string } } }
                - { name: limit, in: query, schema: { type: integer, format: int32 } }
              responses:
                '200':
                  description: ok
                  content:
                    application/json: { schema: { type: array, items: { $ref: '#/components/schemas/Item' } } }
        components:
          schemas:
            NewItem:
              type: object
              required: [name, quantity]
              properties:
                name: { type: string }
                quantity: { type: integer, format: int32 }
                tags: { type: array, items: { type: string } }
            Item:
              type: object
              required: [id, name, quantity, status]
              properties:
                id: { type: string }
                name: { type: string }
                quantity: { type: integer, format: int32 }
                status: { type: string, enum: [in_stock, sold_out] }
                addedAt: { type: string, format: date-time }
        """;

    /// <summary>The user's program: the three ways of making the client, one call each, what it read printed one line a call.</summary>
    private const string Program = """
        using Microsoft.Extensions.DependencyInjection;
        using Refit;
        using Shop.Inventory;

        var baseUrl = new Uri(args[0]);
        // The JSON context the build generated, and OpenAPI's spelling of booleans and dates in paths and queries.
        var settings = Sandboxes.Http.OpenApiRefitSettings.For(InventoryJsonContext.Default);

        var api = RestService.For<IInventoryApi>(new HttpClient { BaseAddress = baseUrl }, settings);
        var added = await api.AddItemAsync("store 1", "req-1", new NewItem { Name = "Lamp", Quantity = 2, Tags = ["home", "light"] }, dryRun: true);
        Console.WriteLine($"For: {added.Id} {added.Name} {added.Quantity} {added.Status.Value} {added.AddedAt:yyyy-MM-ddTHH:mm:ssZ}");

        var generated = RestService.ForGenerated<IInventoryApi>(new HttpClient { BaseAddress = baseUrl }, settings);
        var items = await generated.ListItemsAsync("store 1", tag: ["home", "a&b"], limit: 5);
        Console.WriteLine($"ForGenerated: {items.Count} {string.Join(",", items.Select(i => i.Id + ":" + i.Status.Value))}");

        var services = new ServiceCollection();
        services.AddRefitGeneratedClient<IInventoryApi>(settings).ConfigureHttpClient(c => c.BaseAddress = baseUrl);
        using var provider = services.BuildServiceProvider();
        var fromFactory = await provider.GetRequiredService<IInventoryApi>().ListItemsAsync("s2");
        Console.WriteLine($"AddRefitGeneratedClient: {fromFactory.Count} {fromFactory[0].Status == ItemStatus.SoldOut}");

        // Refit.HttpClientFactory's reflection registration: in Refit 16.4 it builds requests by reflection, which takes the
        // Refit.Reflection package; without it, it says so.
        var reflective = new ServiceCollection();
        reflective.AddRefitClient<IInventoryApi>(settings).ConfigureHttpClient(c => c.BaseAddress = baseUrl);
        using var reflectiveProvider = reflective.BuildServiceProvider();
        try
        {
            Console.WriteLine($"AddRefitClient: {(await reflectiveProvider.GetRequiredService<IInventoryApi>().ListItemsAsync("s3")).Count}");
        }
        catch (NotSupportedException e) when (e.Message.Contains("Refit.Reflection"))
        {
            Console.WriteLine("AddRefitClient: needs Refit.Reflection");
        }
        """;

    [Test]
    public async Task A_project_adding_one_spec_line_gets_a_Refit_client_that_works_with_RestService_and_the_HttpClientFactory()
    {
        var project = Path.Combine(PackedFeed.Directory, "consumer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "inventory.yaml"), Spec);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), Program);
        // The feed beside the user's own sources; packages restored into a folder of this test, so a package of an
        // earlier run with the same version is never taken from the machine's cache.
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(project, "packages")}" /></config>
              <packageSources><add key="sandboxes-feed" value="{PackedFeed.Feed}" /></packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(project, "Shop.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RootNamespace>Shop</RootNamespace>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sandboxes" Version="{PackedFeed.Version("Sandboxes")}" />
                <PackageReference Include="Refit.HttpClientFactory" Version="16.4.0" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.14" />
              </ItemGroup>
              <ItemGroup>
                <SandboxesSpec Include="inventory.yaml" Namespace="Shop.Inventory" ClientName="Inventory" />
              </ItemGroup>
            </Project>
            """);
        // Exactly one line of the project file is about the spec.
        Assert.That(XDocument.Load(Path.Combine(project, "Shop.csproj")).Descendants("SandboxesSpec").Count(), Is.EqualTo(1));

        using var server = new RecordingServer();
        var build = await PackedFeed.DotnetAsync(["build", project, "-c", "Release", "-nologo"]);
        Assert.That(build.ExitCode, Is.Zero, build.Stdout + build.Stderr);
        Assert.That(File.Exists(Path.Combine(project, "obj", "Release", "net10.0", "Sandboxes", "Inventory.g.cs")), Is.True, "the client's source is written into obj/");
        Assert.That(Directory.GetFiles(project, "*.cs"), Is.EqualTo(new[] { Path.Combine(project, "Program.cs") }), "nothing generated beside the user's files");

        var run = await PackedFeed.DotnetAsync(["run", "--project", project, "-c", "Release", "--no-build", "--", server.BaseUrl.ToString()]);
        Assert.That(run.ExitCode, Is.Zero, run.Stdout + run.Stderr);

        // What the program read from the responses.
        Assert.That(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "For: it-7 Lamp 2 in_stock 2026-01-02T03:04:05Z",
            "ForGenerated: 2 it-1:in_stock,it-2:sold_out",
            "AddRefitGeneratedClient: 1 True",
            // Refit 16.4's AddRefitClient needs the reflection request builder (the Refit.Reflection package, which the
            // registry this project builds against does not serve); AddRefitGeneratedClient is its generated twin.
            "AddRefitClient: needs Refit.Reflection",
        }));

        // What went over the wire.
        var requests = server.Requests.ToArray();
        Assert.That(requests, Has.Length.EqualTo(3));
        var add = requests[0];
        Assert.That(add.Method, Is.EqualTo("POST"));
        Assert.That(add.RawUrl, Is.EqualTo("/v1/stores/store%201/items?dryRun=true"));
        Assert.That(add.Headers["X-Request-Id"], Is.EqualTo("req-1"));
        Assert.That(add.Headers["Content-Type"], Does.StartWith("application/json"));
        using (var body = JsonDocument.Parse(add.Body))
        {
            Assert.That(body.RootElement.GetRawText(), Is.EqualTo("""{"name":"Lamp","quantity":2,"tags":["home","light"]}"""));
        }

        var list = requests[1];
        Assert.That(list.Method, Is.EqualTo("GET"));
        Assert.That(list.RawUrl, Is.EqualTo("/v1/stores/store%201/items?tag=home&tag=a%26b&limit=5"));
        Assert.That(list.Body, Is.Empty);

        var factory = requests[2];
        Assert.That(factory.Method, Is.EqualTo("GET"));
        Assert.That(factory.RawUrl, Is.EqualTo("/v1/stores/s2/items"));
    }

    /// <summary>A request as the server received it.</summary>
    private sealed record Recorded(string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <summary>
    /// An HTTP server on 127.0.0.1 that records every request and answers with the vendor's canned JSON: the new item for a
    /// POST, two items for the first store's listing, one sold-out item for any other.
    /// </summary>
    private sealed class RecordingServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public RecordingServer()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUrl = new Uri($"http://127.0.0.1:{port}/v1/");
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public Uri BaseUrl { get; }

        public ConcurrentQueue<Recorded> Requests { get; } = new();

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                var rawUrl = context.Request.RawUrl ?? string.Empty;
                Requests.Enqueue(new Recorded(context.Request.HttpMethod, rawUrl, headers, body));

                var (status, answer) = context.Request.HttpMethod == "POST"
                    ? (201, """{"id":"it-7","name":"Lamp","quantity":2,"status":"in_stock","addedAt":"2026-01-02T03:04:05Z","unknown":1}""")
                    : rawUrl.StartsWith("/v1/stores/store%201/", StringComparison.Ordinal)
                        ? (200, """[{"id":"it-1","name":"Lamp","quantity":2,"status":"in_stock"},{"id":"it-2","name":"Desk","quantity":0,"status":"sold_out"}]""")
                        : (200, """[{"id":"it-3","name":"Chair","quantity":0,"status":"sold_out"}]""");
                var bytes = Encoding.UTF8.GetBytes(answer);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }
    }
}
