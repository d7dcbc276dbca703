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
}
