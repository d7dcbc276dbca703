namespace Juggle.ProcessPoolFixture;

/// <summary>Work the fixture runs in its worker processes.</summary>
public static class Functions
{
    public static int Square(int x) => x * x;

    public static int Pid() => Environment.ProcessId;

    /// <summary>Prints <paramref name="count"/> long lines (tag, index, then a run of the tag's letter), as the seeds print in workers.</summary>
    public static int PrintLines(string tag, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Console.WriteLine(Line(tag, i));
        }

        return count;
    }

    public static string Line(string tag, int i) => $"{tag} {i} {new string(tag[0], 300)}";

    public static int SpinForever(int seed)
    {
        var x = seed;
        while (true)
        {
            x = unchecked((x * 1103515245) + 12345);
        }
    }

    /// <summary>Works for 300 ms (sleeping), then appends <paramref name="line"/> to <paramref name="path"/>.</summary>
    public static int WorkThenAppend(string path, string line)
    {
        Thread.Sleep(300);
        return Append(path, line);
    }

    public static int Append(string path, string line)
    {
        // Shared for writing: two worker processes may append at once (O_APPEND keeps each line whole).
        using (var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(System.Text.Encoding.UTF8.GetBytes(line + Environment.NewLine));
        }

        return 0;
    }
}
