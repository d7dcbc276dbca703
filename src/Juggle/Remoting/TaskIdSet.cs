namespace Juggle.Remoting;

/// <summary>
/// A set of task ids (open addressing, linear probing). Not <c>HashSet&lt;long&gt;</c>: that instantiation is not
/// precompiled in the framework, so every fresh worker JIT-compiled it before its first answer.
/// </summary>
internal sealed class TaskIdSet
{
    private const long Empty = long.MinValue;
    private long[] _slots = NewSlots(16);
    private int _count;

    public bool Add(long id)
    {
        if (id == Empty)
        {
            return false; // not a task id the parent makes; such a call is simply never found by a Cancel
        }

        if ((_count + 1) * 2 > _slots.Length)
        {
            Grow();
        }

        var i = IndexOf(id, _slots);
        if (_slots[i] == id)
        {
            return false;
        }

        _slots[i] = id;
        _count++;
        return true;
    }

    public bool Contains(long id) => id != Empty && _slots[IndexOf(id, _slots)] == id;

    public bool Remove(long id)
    {
        if (id == Empty)
        {
            return false;
        }

        var mask = _slots.Length - 1;
        var i = IndexOf(id, _slots);
        if (_slots[i] != id)
        {
            return false;
        }

        _slots[i] = Empty;
        _count--;

        // Backward-shift deletion: move later members of the probe run into the hole so every lookup still finds them.
        var hole = i;
        var j = (i + 1) & mask;
        while (_slots[j] != Empty)
        {
            var home = Home(_slots[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                _slots[hole] = _slots[j];
                _slots[j] = Empty;
                hole = j;
            }

            j = (j + 1) & mask;
        }

        return true;
    }

    private static long[] NewSlots(int length)
    {
        var slots = new long[length];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = Empty; // a loop: Array.Fill and Span.Fill of long are JIT-compiled generics too
        }

        return slots;
    }

    private static int Home(long id, int mask) => (int)((ulong)(id * -7046029254386353131L) >> 32) & mask;

    /// <summary>The slot holding <paramref name="id"/>, or the empty slot where it would go.</summary>
    private static int IndexOf(long id, long[] slots)
    {
        var mask = slots.Length - 1;
        var i = Home(id, mask);
        while (slots[i] != Empty && slots[i] != id)
        {
            i = (i + 1) & mask;
        }

        return i;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = NewSlots(old.Length * 2);
        foreach (var id in old)
        {
            if (id != Empty)
            {
                _slots[IndexOf(id, _slots)] = id;
            }
        }
    }
}
