using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Juggle.Cli.Demo;

/// <summary>
/// The awkward cases, served under <c>/t/</c> by <c>juggle serve</c> and the tests: charsets, entities, no
/// title, errors, redirect loops, huge and binary bodies, flaky endpoints, downloads with Content-Disposition.
/// </summary>
internal static class AwkwardRoutes
{
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var flaky = new ConcurrentDictionary<string, int>();
        var w1252 = Html.Charset.Windows1252;

        app.MapGet("/t/latin1", () => Results.Bytes(
            w1252.GetBytes("<html><head><title>Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e</title></head></html>"), "text/html; charset=ISO-8859-1"));
        app.MapGet("/t/meta-1252", () => Results.Bytes(
            w1252.GetBytes("<html><head><meta charset=\"windows-1252\"><title>\u201cSmart quotes\u201d \u2013 cost \u20ac5</title></head></html>"), "text/html"));
        app.MapGet("/t/sniff-1252", () => Results.Bytes(
            w1252.GetBytes("<html><head><title>Na\u00efve r\u00e9sum\u00e9</title></head></html>"), "text/html"));
        app.MapGet("/t/entities", () => Results.Content(
            "<html><head><title>\n   Tom &amp; Jerry&nbsp;&#8212;\t&quot;Cartoons&quot;   &lt;1940&gt;\n</title></head></html>", "text/html; charset=utf-8"));
        app.MapGet("/t/no-title", () => Results.Content("<html><head></head><body><h1>Only a heading</h1></body></html>", "text/html"));
        app.MapGet("/t/empty-title", () => Results.Content("<html><head><title>   </title></head></html>", "text/html"));
        app.MapGet("/t/status/{code:int}", (int code) => Results.Content($"<html><title>Status {code}</title></html>", "text/html", Encoding.UTF8, code));
        app.MapGet("/t/loop", () => Results.Redirect("/t/loop"));
        app.MapGet("/t/redirect/{n:int}", (int n) => Results.Redirect(n <= 1 ? "/t/entities" : $"/t/redirect/{n - 1}"));
        app.MapGet("/t/binary", () => Results.Bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "image/png"));
        app.MapGet("/t/binary-as-html", () => Results.Bytes([0x3C, 0x68, 0, 0, 0xFF, 0x00, 0x13, 0x37, 0, 0], "text/html"));
        app.MapGet("/t/h1", () => Results.Content("<html><head><title>Pok\u00e9dex</title></head><body><main class=\"x\"><h1>  Bulbasaur </h1></main></body></html>", "text/html; charset=utf-8"));

        // Title first, then megabytes: a client that stops at </title> reads a few KB. ?mb=N, ?late=1 puts the title last.
        app.MapGet("/t/large", async (HttpContext context) =>
        {
            var mb = int.TryParse(context.Request.Query["mb"], CultureInfo.InvariantCulture, out var m) ? m : 50;
            var late = context.Request.Query["late"] == "1";
            context.Response.ContentType = "text/html; charset=utf-8";
            var filler = Encoding.ASCII.GetBytes(new string('x', 1023) + "\n");
            var head = Encoding.ASCII.GetBytes("<html><head><title>Huge page</title></head><body>");
            if (!late)
            {
                await context.Response.Body.WriteAsync(head, context.RequestAborted).ConfigureAwait(false);
            }

            for (var i = 0; i < mb * 1024; i++)
            {
                await context.Response.Body.WriteAsync(filler, context.RequestAborted).ConfigureAwait(false);
            }

            if (late)
            {
                await context.Response.Body.WriteAsync(head, context.RequestAborted).ConfigureAwait(false);
            }
        });

        // Fails with 503 + Retry-After: 0 the first ?fail=N times per key, then succeeds.
        app.MapGet("/t/flaky/{key}", (string key, HttpContext context) =>
        {
            var failures = int.TryParse(context.Request.Query["fail"], CultureInfo.InvariantCulture, out var f) ? f : 2;
            var seen = flaky.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (seen <= failures)
            {
                context.Response.Headers.RetryAfter = "0";
                return Results.StatusCode(context.Request.Query["code"] == "429" ? 429 : 503);
            }

            return Results.Content($"<html><title>Recovered after {seen - 1} failures</title></html>", "text/html");
        });

        // Downloads: /t/file/{name}?kb=N (name from the URL), /t/disposition?name=... (name from Content-Disposition).
        // A plain RequestDelegate: the request delegate generator's code for (string, HttpContext) => Task crashes the
        // NativeAOT compiler (code generation of its async filter lambda fails), and the name is not needed here.
        app.MapGet("/t/file/{name}", context => WritePayload(context, "application/octet-stream"));
        app.MapGet("/t/disposition", (HttpContext context) =>
        {
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{context.Request.Query["name"]}\"";
            return WritePayload(context, "application/pdf");
        });
    }

    /// <summary>Streams ?kb=N kilobytes (default 64) of a fixed pattern with a Content-Length; ?cut=1 drops the connection halfway.</summary>
    private static async Task WritePayload(HttpContext context, string contentType)
    {
        var kb = int.TryParse(context.Request.Query["kb"], CultureInfo.InvariantCulture, out var k) ? k : 64;
        var cut = context.Request.Query["cut"] == "1";
        var block = new byte[1024];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i * 31 % 251);
        }

        context.Response.ContentType = contentType;
        context.Response.ContentLength = kb * 1024L;
        for (var i = 0; i < kb; i++)
        {
            if (cut && i == kb / 2)
            {
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(block, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
