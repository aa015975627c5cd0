using System.Text.Json;
using NUnit.Framework;

namespace Sandboxes.Tests.Docker;

/// <summary>
/// A create the engine carries out but never answers (a dropped connection, a timeout) leaves no container: the
/// adapter finds what that call created by its creation label and removes it before reporting the error.
/// </summary>
public sealed class DockerUnansweredCreateTests
{
    [Test]
    public async Task A_container_created_without_an_answer_is_found_by_its_label_and_removed()
    {
        var containers = new Dictionary<string, Dictionary<string, string>>();
        var created = 0;
        await using var engine = new FakeEngine(async (request, stream, _) =>
        {
            var path = request.Path;
            if (path == "/_ping")
            {
                await FakeEngine.RespondAsync(stream, 200, "OK", "Api-Version: 1.41");
            }
            else if (request.Method == "POST" && path.EndsWith("/containers/create", StringComparison.Ordinal))
            {
                // Created, then the connection drops before the answer.
                var labels = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(request.Body)!["Labels"]
                    .Deserialize<Dictionary<string, string>>()!;
                lock (containers)
                {
                    containers["c" + created++] = labels;
                }
            }
            else if (request.Method == "GET" && path.EndsWith("/containers/json", StringComparison.Ordinal))
            {
                var filters = JsonSerializer.Deserialize<Dictionary<string, string[]>>(Uri.UnescapeDataString(Query(request, "filters")))!;
                var wanted = filters["label"].Select(l => l.Split('=', 2)).ToList();
                List<object> matching;
                lock (containers)
                {
                    matching = containers.Where(c => wanted.All(w => c.Value.TryGetValue(w[0], out var v) && (w.Length == 1 || v == w[1])))
                        .Select(c => (object)new { Id = c.Key, Labels = c.Value, State = "created" }).ToList();
                }

                await FakeEngine.RespondAsync(stream, 200, JsonSerializer.Serialize(matching));
            }
            else if (request.Method == "DELETE" && path.Contains("/containers/", StringComparison.Ordinal))
            {
                lock (containers)
                {
                    containers.Remove(path[(path.LastIndexOf('/') + 1)..]);
                }

                await FakeEngine.RespondAsync(stream, 204, string.Empty);
            }
            else
            {
                await FakeEngine.RespondAsync(stream, 500, """{"message":"not scripted"}""");
            }
        });
        await using var client = new Sandboxer("docker", new ProviderConfig { BaseUrl = new Uri(engine.Address) });

        Assert.That(async () => await client.CreateSandboxAsync(new CreateSandboxRequest { Image = "localhost/any:1" }),
            Throws.InstanceOf<ProviderException>());

        Assert.That(created, Is.GreaterThanOrEqualTo(1), "the engine created a container");
        Assert.That(containers, Is.Empty, "every container an unanswered create made was removed");
    }

    private static string Query(FakeRequest request, string name) =>
        request.Target.Split('?', 2).ElementAtOrDefault(1)?.Split('&').Select(p => p.Split('=', 2))
            .FirstOrDefault(p => p[0] == name)?[1] ?? string.Empty;
}
