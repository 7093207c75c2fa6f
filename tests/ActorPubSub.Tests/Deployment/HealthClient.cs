using System.Net;
using System.Text.Json;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Deployment;

/// <summary>Calls a program's health endpoints and reads their JSON answers.</summary>
public static class HealthClient
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public sealed record Answer(HttpStatusCode Status, string Body)
    {
        /// <summary><c>checks.&lt;name&gt;.ready</c>, or null when the answer has no such check.</summary>
        public bool? CheckReady(string name)
        {
            using var json = JsonDocument.Parse(Body);
            return json.RootElement.GetProperty("checks").TryGetProperty(name, out var check) ? check.GetProperty("ready").GetBoolean() : null;
        }

        public string CheckDetail(string name)
        {
            using var json = JsonDocument.Parse(Body);
            return json.RootElement.GetProperty("checks").GetProperty(name).GetProperty("detail").GetString() ?? "";
        }

        public override string ToString() => $"{(int)Status} {Body}";
    }

    public static async Task<Answer> GetAsync(Uri baseUrl, string path)
    {
        using var response = await Http.GetAsync(new Uri(baseUrl, path));
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls <paramref name="path"/> until <paramref name="condition"/> holds; fails with the last answer.</summary>
    public static Task<Answer> WaitForAsync(Uri baseUrl, string path, Func<Answer, bool> condition, string what, TimeSpan within) =>
        Eventually.HoldsAsync(() => GetAsync(baseUrl, path), condition, what, within);
}
