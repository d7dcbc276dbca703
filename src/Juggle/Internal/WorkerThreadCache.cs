namespace Juggle.Internal;

/// <summary>
/// Parked worker threads shared by every <see cref="ThreadPoolExecutor"/> in the process. Starting an OS thread
/// costs from tens of microseconds to milliseconds; a short-lived executor (one per request, one per loop) reuses
/// the threads of the previous one instead. A parked thread exits after <see cref="IdleTimeout"/>.
/// </summary>
internal static class WorkerThreadCache
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(20);

    private const int MaxParked = 256;
    // Used as a stack (the most recently parked thread is reused first); a List because Stack<T> would load
    // System.Collections.dll on the first executor's path.
    private static readonly List<PooledThread> s_parked = [];
    private static readonly Lock s_lock = new();

    /// <summary>Runs <paramref name="work"/> on a parked thread if one is free, otherwise on a new thread.</summary>
    public static void Run(string name, Action work)
    {
        if (!TryRunParked(name, work))
        {
            StartNew(name, work);
        }
    }

    /// <summary>Hands <paramref name="work"/> to a parked thread; <see langword="false"/> if none is parked.</summary>
    public static bool TryRunParked(string name, Action work)
    {
        PooledThread? parked = null;
        lock (s_lock)
        {
            if (s_parked.Count > 0)
            {
                parked = s_parked[^1];
                s_parked.RemoveAt(s_parked.Count - 1);
            }
        }

        if (parked is null)
        {
            return false;
        }

        parked.Assign(name, work);
        return true;
    }

    /// <summary>Starts a new thread for <paramref name="work"/>; it parks here when the work returns.</summary>
    public static void StartNew(string name, Action work) => new PooledThread(name, work).Start();

    public static int ParkedCount
    {
        get
        {
            lock (s_lock)
            {
                return s_parked.Count;
            }
        }
    }

    private sealed class PooledThread
    {
        private Action? _work;
        private string _name;

        public PooledThread(string name, Action work)
        {
            _name = name;
            _work = work;
        }

        public void Start()
        {
            // Named by itself in Loop, not here: naming a thread that is not the caller goes through /proc (open, write,
            // close) on the starting thread, which a fan-out of new threads waits for once per thread.
            if (!NativeThreadStart.TryStart(Loop))
            {
                new Thread(Loop) { IsBackground = true }.UnsafeStart();
            }
        }

        public void Assign(string name, Action work)
        {
            lock (this)
            {
                _name = name;
                _work = work;
                Monitor.Pulse(this);
            }
        }

        private void Loop()
        {
            while (true)
            {
                Action work;
                lock (this)
                {
                    work = _work!;
                    _work = null;
                }

                if (Thread.CurrentThread.Name != _name)
                {
                    Thread.CurrentThread.Name = _name;
                }

                work();

                if (!Park())
                {
                    return;
                }
            }
        }

        /// <summary>Waits for the next assignment. Returns <see langword="false"/> when the thread should exit.</summary>
        private bool Park()
        {
            lock (s_lock)
            {
                if (s_parked.Count >= MaxParked)
                {
                    return false;
                }

                s_parked.Add(this);
            }

            lock (this)
            {
                while (_work is null)
                {
                    if (!Monitor.Wait(this, IdleTimeout))
                    {
                        // Timed out: leave, unless someone popped us and is about to assign work.
                        lock (s_lock)
                        {
                            if (TryRemove(this))
                            {
                                return false;
                            }
                        }
                    }
                }

                return true;
            }
        }

        private static bool TryRemove(PooledThread thread) => s_parked.Remove(thread);
    }
}
