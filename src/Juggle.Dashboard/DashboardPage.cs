using System.Reflection;
using System.Text;

namespace Juggle.Dashboard;

/// <summary>The page: one HTML document with its stylesheet and script inlined, read once from the embedded resources (no CDN, works offline).</summary>
internal static class DashboardPage
{
    private static readonly Lazy<byte[]> s_html = new(Build);

    public static byte[] Html => s_html.Value;

    private static byte[] Build()
    {
        var html = Read("index.html")
            .Replace("/*STYLE*/", Read("dashboard.css"), StringComparison.Ordinal)
            .Replace("/*SCRIPT*/", Read("dashboard.js"), StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(html);
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Juggle.Dashboard.Page.{name}")
            ?? throw new InvalidOperationException($"The dashboard resource '{name}' is missing from {typeof(DashboardPage).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
