using System.Diagnostics;
using System.Globalization;
using Juggle.Remoting;

namespace Juggle;

/// <summary>Dispatch: pending calls to workers, answers to futures, dead workers replaced.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>
    /// Sends pending calls to workers, starting workers as needed. Never blocks: with a rate limiter, each call
    /// reserves a worker slot and waits for its permit on a pool thread (so every worker waits for one at once).
    /// Without one, every call that fits is queued for its worker in one pass and each worker touched is flushed
    /// once at the end, so a burst of calls goes out in one write.
    /// </summary>
    private void Pump()
    {
        WorkerProcess? flushOne = null;
        List<WorkerProcess>? flushMore = null;
        try
        {
            while (true)
            {
                CallRecord record;
                WorkerProcess? worker;
                Exception? spawnError = null;
                List<WorkerProcess>? retirees = null;
                var startHead = false;
                lock (_lock)
                {
                    if (_broken is not null)
                    {
                        return;
                    }

                    while (_pending.First is { } first && first.Value.Future.Done)
                    {
                        _pending.RemoveFirst();
                    }

                    if (_pending.Count == 0)
                    {
                        retirees = CollectRetireesLocked();
                        CheckAllExitedLocked();
                        worker = null;
                        record = null!;
                    }
                    else
                    {
                        worker = PickWorkerLocked(out spawnError);
                        if (worker is null)
                        {
                            record = null!;
                        }
                        else
                        {
                            record = _pending.First!.Value;
                            _pending.RemoveFirst();
                            if (_usesLimiter)
                            {
                                worker.Reserved++;
                                _awaitingPermit.Add(record);
                            }
                            else
                            {
                                worker.AssignLocked(record);
                                startHead = worker.Ready && worker.InFlight.Count == 1 && record.TryClaimStart();
                            }
                        }
                    }
                }

                if (retirees is not null)
                {
                    foreach (var retiree in retirees)
                    {
                        retiree.CloseInput();
                    }
                }

                if (spawnError is not null)
                {
                    Break(new BrokenExecutorException($"Executor '{Name}' could not start a worker process, so it is broken: {spawnError.Message}", spawnError));
                    return;
                }

                if (worker is null)
                {
                    return;
                }

                if (_usesLimiter)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(static state => state.Owner.AssignWithPermit(state.Worker, state.Record), (Owner: this, Worker: worker, Record: record), preferLocal: false);
                    continue;
                }

                if (startHead)
                {
                    StartHead(worker, record);
                }

                if (flushOne is null)
                {
                    flushOne = worker;
                }
                else if (!ReferenceEquals(flushOne, worker) && !(flushMore ??= []).Contains(worker))
                {
                    flushMore.Add(worker);
                }
            }
        }
        finally
        {
            flushOne?.FlushIfNeeded();
            if (flushMore is not null)
            {
                foreach (var worker in flushMore)
                {
                    worker.FlushIfNeeded();
                }
            }
        }
    }

    /// <summary>Waits for <paramref name="record"/>'s start permit (on a pool thread), then sends it.</summary>
    private void AssignWithPermit(WorkerProcess worker, CallRecord record)
    {
        System.Threading.RateLimiting.RateLimitLease? lease;
        try
        {
            lease = AcquireStartPermit(record.Future);
        }
#pragma warning disable CA1031 // A limiter failure fails only this task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lease = null;
            record.Future.TryFailPending(ex);
        }

        Assign(worker, record, lease);
        Pump();
    }

    /// <summary>Turns a reserved slot (rate limit path) into a call sent to <paramref name="worker"/>, unless the future is done or the worker went away.</summary>
    private void Assign(WorkerProcess worker, CallRecord record, System.Threading.RateLimiting.RateLimitLease? lease)
    {
        var startHead = false;
        var flushOnly = false;
        lock (_lock)
        {
            worker.Reserved--;
            _awaitingPermit.Remove(record);
            if (worker.Exited || worker.Retiring || worker.Dying || _broken is not null || record.Future.Done)
            {
                lease?.Dispose();
                if (!record.Future.Done)
                {
                    if (_broken is { } broken)
                    {
                        record.Future.TryFailPending(broken);
                    }
                    else
                    {
                        _pending.AddFirst(record);
                    }
                }

                flushOnly = true;
            }
            else
            {
                record.Lease = lease;
                worker.AssignLocked(record);
                startHead = worker.Ready && worker.InFlight.Count == 1 && record.TryClaimStart();
            }
        }

        if (flushOnly)
        {
            // A worker started for this call still needs its initialisation frames; a requeued call another worker.
            worker.Flush();
            Pump();
            return;
        }

        if (startHead)
        {
            StartHead(worker, record);
        }

        worker.Flush();
    }

    /// <summary>The least-loaded worker with room, or a new one when every worker is busy and there is room for more.</summary>
    private WorkerProcess? PickWorkerLocked(out Exception? spawnError)
    {
        spawnError = null;
        WorkerProcess? best = null;
        var live = 0;
        foreach (var worker in _workers)
        {
            if (worker.Retiring || worker.Exited)
            {
                continue;
            }

            live++;
            if (worker.Dying || worker.Load >= PipelineDepth || worker.QuotaReached || (worker.Load > 0 && !worker.MayPipeline()))
            {
                continue;
            }

            // With a rate limit, a permit is a start: hand calls only to ready, idle workers, so the call starts as
            // soon as its permit is granted (no worker start-up or queue in between).
            if (_usesLimiter && (!worker.Ready || worker.Load > 0))
            {
                continue;
            }

            if (best is null || worker.Load < best.Load)
            {
                best = worker;
            }
        }

        // With a rate limit, calls wait for ready workers: start one more only while fewer are starting than calls wait.
        if ((best is null || best.Load > 0) && live < MaxWorkers
            && !(_usesLimiter && _workers.Count(w => !w.Ready && !w.Exited && !w.Retiring) >= _pending.Count))
        {
            var worker = new WorkerProcess(this, ++_workerCount);
            try
            {
                worker.Start();
            }
#pragma warning disable CA1031 // Any failure to start a process breaks the pool with that cause.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                spawnError = ex;
                return null;
            }

            _workers.Add(worker);
            best = worker;
        }

        return best;
    }

    /// <summary>Idle workers that should exit now: quota reached, or shut down with nothing left to do.</summary>
    private List<WorkerProcess>? CollectRetireesLocked()
    {
        List<WorkerProcess>? retirees = null;
        foreach (var worker in _workers)
        {
            if (!worker.Retiring && !worker.Exited && worker.Load == 0
                && (worker.QuotaReached || _broken is not null || (_shutdown && _pending.Count == 0)))
            {
                worker.Retiring = true;
                (retirees ??= []).Add(worker);
            }
        }

        return retirees;
    }

    /// <summary>The call at the head of a ready worker's queue runs now: mark it running, watch for cancel and timeout.</summary>
    private void StartHead(WorkerProcess worker, CallRecord record)
    {
        record.StartTicks = Stopwatch.GetTimestamp();
        if (!record.TryCommit())
        {
            // Withdrawn by Cancel() before it was written: the worker gets a Skip in its place and answers Skipped.
            return;
        }

        // Armed before the task shows as running, so whoever sees it running can count on its timeout being armed.
        if (_taskTimeout is { } timeout)
        {
            worker.ArmTimeout(record, timeout);
        }

        // A call the worker was asked to skip stays pending: the worker skips it (cancelled) or, if the request came too
        // late, runs it and its answer completes the future. (A request racing this read finds it running; the
        // worker's acknowledgement then cancels it from running.)
        if (!record.SkipRequested)
        {
            var cancellation = new CancellationTokenSource();
            if (record.Future.TrySetRunning(worker, worker.Name, Time.GetTimestamp(), cancellation))
            {
                record.Started = true;
                record.Registration = cancellation.Token.UnsafeRegister(static state => ((CallRecord)state!).Owner.OnCancelRunning((CallRecord)state!), record);
            }
        }
    }

    /// <summary>
    /// <see cref="Future.Cancel"/> on a pending call already committed to a worker: asks the worker to skip it (it
    /// acknowledges on its reader thread, see <see cref="OnCancelAck"/>). Returns <see langword="true"/> when the call
    /// turned out to be withdrawable after all (its worker died and it was requeued meanwhile).
    /// </summary>
    private bool RequestSkip(CallRecord record)
    {
        WorkerProcess? worker;
        lock (_lock)
        {
            if (record.TryWithdrawLocked())
            {
                return true;
            }

            worker = record.Worker;
            if (record.SkipRequested || worker is null || worker.Exited)
            {
                return false;
            }

            record.SkipRequested = true;
            worker.QueueCancelLocked(record.TaskId);
        }

        worker.Flush();
        return false;
    }

    /// <summary>The worker's answer to a skip request: when it will skip the call, the future is cancelled now (it never runs).</summary>
    private void OnCancelAck(WorkerProcess worker, ref FrameParser parser)
    {
        var taskId = parser.ReadInt64();
        var skipped = parser.ReadByte();
        parser.EnsureEnd();
        if (skipped > 1)
        {
            throw new FrameException($"Invalid cancel acknowledgement {skipped}.");
        }

        CallRecord? record = null;
        lock (_lock)
        {
            foreach (var call in worker.InFlight)
            {
                if (call.TaskId == taskId)
                {
                    record = call;
                    break;
                }
            }
        }

        if (skipped == 1 && record is not null)
        {
            record.Future.TryCancelNotRun();
        }
    }

    /// <summary>Text a worker's code printed: onto this process's standard output, in one write (lines stay whole).</summary>
    private static void OnOutput(ref FrameParser parser)
    {
        var stream = parser.ReadByte();
        if (stream != OutputChannel.StandardOutput)
        {
            throw new FrameException($"Invalid output stream {stream}.");
        }

        var text = System.Text.Encoding.UTF8.GetString(parser.ReadRest());
        try
        {
            Console.Out.Write(text);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Our stdout is closed: the worker's output has nowhere to go, which must not stop the pool.
        }
    }

    /// <summary><see cref="Future.Cancel"/> on a running task: kill its worker (the task ends cancelled).</summary>
    private void OnCancelRunning(CallRecord record)
    {
        WorkerProcess? worker;
        lock (_lock)
        {
            worker = record.Worker;
            if (worker is null || worker.Exited || worker.InFlight.Count == 0 || !ReferenceEquals(worker.InFlight.Peek(), record))
            {
                return;
            }

            record.KillReason = KillReason.Cancelled;
            worker.Dying = true;
        }

        worker.Kill();
    }

    /// <summary>
    /// Handles one frame from <paramref name="worker"/> on its reader thread; <paramref name="last"/> is false while
    /// more frames are already buffered, so the pending calls are dispatched once per batch of answers.
    /// </summary>
    private void OnFrame(WorkerProcess worker, byte[] body, bool last)
    {
        var parser = new FrameParser(body);
        var kind = parser.ReadKind();
        switch (kind)
        {
            case MessageKind.InitOk:
                {
                    parser.EnsureEnd();
                    CallRecord? head = null;
                    lock (_lock)
                    {
                        worker.Ready = true;
                        if (worker.InFlight.Count > 0 && worker.InFlight.Peek().TryClaimStart())
                        {
                            head = worker.InFlight.Peek();
                        }
                    }

                    if (head is not null)
                    {
                        StartHead(worker, head);
                    }

                    Pump();
                    return;
                }

            case MessageKind.InitFailed:
                {
                    var error = RemoteError.Read(ref parser);
                    var cause = RemoteErrors.ToException(error, _initializer?.Assembly ?? typeof(ProcessPoolExecutor).Assembly);
                    Break(new BrokenExecutorException(
                        $"The initializer failed in worker process {worker.ProcessId}, so executor '{Name}' is broken and cannot run tasks: {error.TypeName}: {error.Message}",
                        cause));
                    return;
                }

            case MessageKind.Result or MessageKind.Error or MessageKind.ChunkResult or MessageKind.Skipped:
                OnAnswer(worker, kind, ref parser, last);
                return;

            case MessageKind.CancelAck:
                OnCancelAck(worker, ref parser);
                return;

            case MessageKind.Output:
                OnOutput(ref parser);
                return;

            case MessageKind.Spans:
                {
                    // The spans a traced call recorded in the worker, just ahead of its answer: re-emitted under the task's span.
                    var taskId = parser.ReadInt64();
                    CallRecord? head;
                    lock (_lock)
                    {
                        head = worker.InFlight.Count > 0 ? worker.InFlight.Peek() : null;
                    }

                    if (head is null || head.TaskId != taskId || !head.Claimed)
                    {
                        throw new FrameException($"The worker sent spans for task {taskId}, which is not the one it was running.");
                    }

                    Remoting.RemoteSpans.Emit(ref parser, head.Started ? head.Future.Trace?.Activity : null);
                    return;
                }

            default:
                throw new FrameException($"Message kind {kind} is not valid from a worker.");
        }
    }

    private void OnAnswer(WorkerProcess worker, MessageKind kind, ref FrameParser parser, bool pump)
    {
        var taskId = parser.ReadInt64();
        CallRecord head;
        CallRecord? next = null;
        List<WorkerProcess>? retirees;
        lock (_lock)
        {
            if (worker.InFlight.Count == 0 || worker.InFlight.Peek().TaskId != taskId)
            {
                throw new FrameException($"The worker answered task {taskId}, which is not the one it was running.");
            }

            // Checked before the call leaves the queue: the reader then ends, and the worker's exit fails or requeues it.
            if (!worker.InFlight.Peek().Claimed)
            {
                throw new FrameException($"The worker answered task {taskId} before it was initialised.");
            }

            head = worker.InFlight.Dequeue();

            // A skipped call took no time: counting it would make the worker look like one that runs tiny tasks.
            if (kind != MessageKind.Skipped)
            {
                worker.RecordServiceTime(head.StartTicks);
            }

            // A worker being killed (timeout or cancel decided just as this answer came) starts nothing more: the
            // calls behind are requeued when it is gone.
            if (worker.InFlight.Count > 0 && worker.Ready && !worker.Dying && worker.InFlight.Peek().TryClaimStart())
            {
                next = worker.InFlight.Peek();
            }

            retirees = _pending.Count == 0 || worker.QuotaReached ? CollectRetireesLocked() : null;
        }

        // The future completes (and stops counting as running) before its rate-limit permit goes back, so a task
        // waiting for that permit never starts while this one still counts as running.
        // Every answer completes its future, whatever goes wrong reading it: no future is left running. Only a malformed
        // frame ends the worker (the channel can no longer be trusted); a result that fails to deserialise fails its
        // future alone.
        try
        {
            if (kind == MessageKind.Skipped)
            {
                parser.EnsureEnd();
                head.Future.TryCancelNotRun();
            }
            else
            {
                // Also when the future is still pending: a skip requested too late, so the call ran.
                head.Complete(kind, ref parser);
            }
        }
        catch (FrameException ex)
        {
            head.Future.TrySetException(new WorkerCrashedException($"Worker process {worker.ProcessId} sent a malformed answer for this task: {ex.Message}", ex));
            throw;
        }
#pragma warning disable CA1031 // Anything else fails this future alone; the worker and the other futures go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            head.Future.TrySetException(new InvalidOperationException($"The answer of worker process {worker.ProcessId} for task #{head.TaskId} could not be read ({ex.GetType().Name}): {Frames.SafeMessage(ex)}", ex));
        }
        finally
        {
            head.ReleaseResources();
        }

        if (next is not null)
        {
            StartHead(worker, next);
        }

        if (retirees is not null)
        {
            foreach (var retiree in retirees)
            {
                retiree.CloseInput();
            }
        }

        if (pump || retirees is not null)
        {
            Pump();
            worker.FlushIfNeeded();
        }
    }

    /// <summary>A worker's channel ended: fail (or cancel) the call it was running, requeue the ones it never started, replace it.</summary>
    private void OnWorkerExited(WorkerProcess worker, Exception? error, int? exitCode)
    {
        CallRecord? running = null;
        List<CallRecord> orphans = [];
        List<CallRecord>? skipped = null;
        bool startupFailure;
        BrokenExecutorException? broken;
        lock (_lock)
        {
            _workers.Remove(worker);
            worker.Exited = true;
            broken = _broken;
            var first = true;
            while (worker.InFlight.TryDequeue(out var record))
            {
                if (first && record.Claimed)
                {
                    running = record;
                }
                else
                {
                    orphans.Add(record);
                }

                first = false;
            }

            startupFailure = !worker.Ready && !worker.Retiring && broken is null && !_shutdown;
            if (worker.Ready && !worker.Retiring && broken is null)
            {
                _restarts++; // crashed or killed (timeout, cancel): a fresh worker takes its place when work needs one
            }
            if (broken is null)
            {
                for (var i = orphans.Count - 1; i >= 0; i--)
                {
                    if (orphans[i].SkipRequested)
                    {
                        // Cancel() asked to skip it and it never ran: it ends cancelled rather than running elsewhere.
                        (skipped ??= []).Add(orphans[i]);
                        continue;
                    }

                    orphans[i].ResetForRequeue();
                    if (!orphans[i].Future.Done)
                    {
                        _pending.AddFirst(orphans[i]);
                    }
                }
            }

            CheckAllExitedLocked();
        }

        if (broken is not null)
        {
            foreach (var orphan in orphans)
            {
                orphan.ReleaseResources();
                orphan.Future.TryFailPending(broken);
            }
        }

        if (skipped is not null)
        {
            foreach (var record in skipped)
            {
                record.ReleaseResources();
                record.Future.TryCancelNotRun();
            }
        }

        if (running is not null)
        {
            running.ReleaseResources();

            // Also a call still pending because a skip was requested too late: it was running when the worker died.
            if (running.IsCommitted && !running.Future.Done)
            {
                FailRunning(worker, running, error, exitCode, broken);
            }
        }

        if (startupFailure)
        {
            Break(new BrokenExecutorException(
                string.Create(CultureInfo.InvariantCulture, $"Worker process {worker.ProcessId} of executor '{Name}' exited (code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}) before it was ready, so the executor is broken; see the worker's output on stderr. Command: {_launch.Command}"),
                error));
            return;
        }

        Pump();
    }

    private void FailRunning(WorkerProcess worker, CallRecord running, Exception? error, int? exitCode, BrokenExecutorException? broken)
    {
        switch (running.KillReason)
        {
            case KillReason.Cancelled:
                running.Future.TrySetCancelledWhileRunning();
                return;
            case KillReason.Timeout:
                running.Future.TrySetException(new TimeoutException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Task #{running.TaskId} ran longer than the task timeout of {_taskTimeout!.Value.TotalSeconds:0.###} s; its worker process {worker.ProcessId} was killed.")));
                return;
        }

        if (broken is not null)
        {
            running.Future.TrySetException(broken);
            return;
        }

        if (error is FrameException)
        {
            // We killed it for an answer we could not read: its exit signal would only blame the kill.
            running.Future.TrySetException(new WorkerCrashedException(
                $"Worker process {worker.ProcessId} sent an answer for task #{running.TaskId} that this process could not read (protocol error: {error.Message}). The pool replaced the worker; other tasks are unaffected.",
                worker.ProcessId,
                exitCode,
                null));
            return;
        }

        int? signal = !OperatingSystem.IsWindows() && exitCode is > 128 and < 128 + 65 ? exitCode - 128 : null;
        var how = signal is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"was killed by signal {s} ({SignalName(s)})")
            : exitCode is { } code ? string.Create(CultureInfo.InvariantCulture, $"exited with code {code}") : "stopped responding";
        var detail = error is FrameException ? $" (protocol error: {error.Message})" : string.Empty;
        running.Future.TrySetException(new WorkerCrashedException(
            $"Worker process {worker.ProcessId} {how} while running task #{running.TaskId}{detail}. The pool replaced it; other tasks are unaffected.",
            worker.ProcessId,
            exitCode,
            signal));
    }

    private static string SignalName(int signal) => signal switch
    {
        6 => "SIGABRT: abort, FailFast or stack overflow",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "signal",
    };

    /// <summary>Breaks the executor: pending futures fail with <paramref name="exception"/>, workers are killed, later submits throw it.</summary>
    private void Break(BrokenExecutorException exception)
    {
        List<CallRecord> pending;
        List<WorkerProcess> workers;
        lock (_lock)
        {
            if (_broken is not null)
            {
                return;
            }

            _broken = exception;
            pending = [.. _pending];
            _pending.Clear();
            workers = [.. _workers];
            CheckAllExitedLocked();
        }

        foreach (var record in pending)
        {
            record.Future.TryFailPending(exception);
        }

        foreach (var worker in workers)
        {
            worker.Kill();
        }

        // Last: a slow or throwing log sink must not keep futures pending or workers alive.
        try
        {
            LogError(exception, exception.Message);
        }
#pragma warning disable CA1031 // Logging is best effort here.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

    }
}
