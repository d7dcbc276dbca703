namespace CpuBound;

/// <summary>Seed 003's <c>do_math_once</c>: pure CPU work, no I/O.</summary>
public static class MathWork
{
    /// <summary>Iterations per call; the seed used 2,000,000 with CPython, which is far slower per iteration.</summary>
    public const int Iterations = 500_000;

    /// <summary>Raises and lowers <paramref name="startingNumber"/> to powers in a loop; returns <c>startingNumber + Iterations</c>.</summary>
    public static double DoMathOnce(int startingNumber)
    {
        double x = startingNumber;
        for (var i = 0; i < Iterations; i++)
        {
            x = Math.Pow(x, 4);
            x = Math.Pow(x, 0.25);
            x = Math.Pow(x, 2);
            x = Math.Pow(x, 0.5);
            x += 1;
        }

        return x;
    }
}
