namespace Juggle.ProcessPoolFixture;

/// <summary>Work the fixture runs in its worker processes.</summary>
public static class Functions
{
    public static int Square(int x) => x * x;

    public static int Pid() => Environment.ProcessId;

    public static int SpinForever(int seed)
    {
        var x = seed;
        while (true)
        {
            x = unchecked((x * 1103515245) + 12345);
        }
    }
}
