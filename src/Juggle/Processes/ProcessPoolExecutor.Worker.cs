using System.ComponentModel;
using System.Diagnostics;
using Juggle.Remoting;

namespace Juggle;

/// <summary>One worker process: its pipes, the calls sent to it (in order), and the thread reading its answers.</summary>
public sealed partial class ProcessPoolExecutor
{
#pragma warning disable CA1001 // The pipes and timer are released when the process exits (WaitForExit), not by an owner.
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(TrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(TrimMessages.DynamicCode)]
    private sealed class WorkerProcess : Internal.IWorkerIdentity
#pragma warning restore CA1001
    {
        private const int BufferSize = 64 * 1024;

        /// <summary>Calls sent ahead and unanswered below which queued calls are written at once (see <see cref="ShouldFlushLocked"/>).</summary>
        private const int FlushBelow = PipelineDepth / 4;
        private static readonly TimeSpan PipelineWindow = TimeSpan.FromMilliseconds(2);
        private static readonly TimeSpan TinyTask = TimeSpan.FromMilliseconds(0.5);

        private readonly ProcessPoolExecutor _owner;
        private readonly Lock _writeLock = new();
        private readonly HashSet<int> _defined = [];
        private List<object> _outbox = [];
        private List<object> _spare = [];
        private WorkerChild? _process;
        private Stream? _input;
        private bool _inputClosed;
        private readonly ITimer? _timer;
        private long _timeoutTaskId = -1;
        private long _timeoutStart;
        private double _averageServiceTicks = double.MaxValue;
        private int _flushRequested;
        private int _unsentCalls;

        public WorkerProcess(ProcessPoolExecutor owner, int number)
        {
            _owner = owner;
            Name = Internal.Names.Numbered(owner.Name, "_", number);
            if (owner._initializer is { } initializer)
            {
                _outbox.Add(initializer.DefineFrame);
                _defined.Add(initializer.Id);
            }

            _outbox.Add(Messages.Init(owner._initializer?.Id ?? -1, owner.MaxFrameSize));
            if (owner._taskTimeout is not null)
            {
                // On the executor's clock, so a test's fake TimeProvider decides when a task has run too long.
                _timer = owner.Time.CreateTimer(static state => ((WorkerProcess)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        public string Name { get; }

        public int ProcessId { get; private set; }

        public int ThreadId => 0;

        /// <summary>Calls sent (or about to be), in the order the worker runs them; the head is running. Guarded by the owner's lock.</summary>
        public Queue<CallRecord> InFlight { get; } = new();

        /// <summary>Slots held while a dispatcher waits for a rate-limit permit. Guarded by the owner's lock.</summary>
        public int Reserved { get; set; }

        public int Dispatched { get; set; }

        public int Load => InFlight.Count + Reserved;

        /// <summary>The initializer ran: the head call may start. Guarded by the owner's lock.</summary>
        public bool Ready { get; set; }

        public bool Retiring { get; set; }

        /// <summary>Being killed (task timeout or cancel): gets no more calls. Guarded by the owner's lock.</summary>
        public bool Dying { get; set; }

        public bool Exited { get; set; }

        public bool QuotaReached => _owner._maxTasksPerChild is { } max && Dispatched + Reserved >= max;

        /// <summary>
        /// Whether a call may queue behind the ones this worker has: only when its recent calls took less than
        /// <see cref="TinyTask"/> on average (a fresh worker has no history, so never), its running call has run
        /// for less than <see cref="PipelineWindow"/>, and the calls it holds add up to less than
        /// <see cref="PipelineWindow"/> of expected work. Tiny tasks get their round trip hidden; a call is not parked
        /// behind a task that is evidently long, or of unknown length, while another worker may free up first, and a
        /// task that turns out long holds back at most a couple of milliseconds of expected work.
        /// </summary>
        public bool MayPipeline() =>
            Reserved == 0 && InFlight.Count > 0 && InFlight.Peek() is { Claimed: true } head
            && (_owner.AlwaysPipeline || PipelineHistoryAllows(head));

        private bool PipelineHistoryAllows(CallRecord head) =>
            _averageServiceTicks < TinyTask.TotalSeconds * Stopwatch.Frequency
            && InFlight.Count * _averageServiceTicks < PipelineWindow.TotalSeconds * Stopwatch.Frequency
            && Stopwatch.GetElapsedTime(head.StartTicks) < PipelineWindow;

        /// <summary>Records how long the call at the head took (an exponential moving average). Call under the owner's lock.</summary>
        public void RecordServiceTime(long startTicks)
        {
            var elapsed = Stopwatch.GetTimestamp() - startTicks;
            _averageServiceTicks = _averageServiceTicks == double.MaxValue ? elapsed : (0.8 * _averageServiceTicks) + (0.2 * elapsed);
        }

        /// <summary>Starts the process and its reader thread. Call under the owner's lock (frames are not written here).</summary>
        public void Start()
        {
            var process = SpareWorker.Take(_owner._launch);
            _process = process;
            ProcessId = process.Id;
            lock (_writeLock)
            {
                _input = new BufferedStream(process.Input, BufferSize);
            }

            new Thread(ReadLoop) { IsBackground = true, Name = $"{Name}-reader" }.Start();
        }

        /// <summary>Queues <paramref name="record"/> (and its function's definition, the first time). Call under the owner's lock.</summary>
        public void AssignLocked(CallRecord record)
        {
            if (_defined.Add(record.Function.Id))
            {
                _outbox.Add(record.Function.DefineFrame);
            }

            record.Worker = this;
            InFlight.Enqueue(record);
            _outbox.Add(record);
            _unsentCalls++;
            Dispatched++;
        }

        /// <summary>Queues a request to skip a call already sent (written after it, flushed by the caller). Call under the owner's lock.</summary>
        public void QueueCancelLocked(long taskId) => _outbox.Add(Messages.Cancel(taskId));

        /// <summary>
        /// Whether queued frames should be written now: while the worker has fewer than <see cref="FlushBelow"/>
        /// calls sent and unanswered. A deep pipeline keeps the rest in the outbox until the worker has worked
        /// through most of what it has, then gets them in one write (the reader checks after every batch of answers).
        /// Call under the owner's lock.
        /// </summary>
        public bool ShouldFlushLocked() => _outbox.Count > 0 && InFlight.Count - _unsentCalls < FlushBelow;

        /// <summary>Flushes when <see cref="ShouldFlushLocked"/>. Never call under the owner's lock.</summary>
        public void FlushIfNeeded()
        {
            bool flush;
            lock (_owner._lock)
            {
                flush = ShouldFlushLocked();
            }

            if (flush)
            {
                Flush();
            }
        }

        /// <summary>
        /// Writes everything queued, in order, with one flush. A doorbell: when another thread is writing to this
        /// worker, this call only rings and returns, and that writer drains what was added meanwhile. Never call
        /// under the owner's lock.
        /// </summary>
        public void Flush()
        {
            while (true)
            {
                Volatile.Write(ref _flushRequested, 1);
                if (!_writeLock.TryEnter())
                {
                    return;
                }

                try
                {
                    while (Interlocked.Exchange(ref _flushRequested, 0) == 1)
                    {
                        WriteOutbox();
                    }
                }
                finally
                {
                    _writeLock.Exit();
                }

                if (Volatile.Read(ref _flushRequested) == 0)
                {
                    return;
                }
            }
        }

        /// <summary>Writes the outbox. Call holding the write lock.</summary>
        private void WriteOutbox()
        {
            List<object> batch;
            lock (_owner._lock)
            {
                if (_outbox.Count == 0 || _input is null || _inputClosed)
                {
                    return;
                }

                batch = _outbox;
                _outbox = _spare;
                _spare = batch;
                _unsentCalls = 0;
            }

            try
            {
                foreach (var item in batch)
                {
                    if (item is byte[] body)
                    {
                        Frames.Write(_input, body);
                    }
                    else if (((CallRecord)item).TryCommit())
                    {
                        ((CallRecord)item).WriteTo(_input);
                    }
                    else
                    {
                        // Withdrawn by Cancel() while queued here: the worker answers Skipped in its place, so the
                        // answers still match the calls in order.
                        Frames.Write(_input, Messages.Skip(((CallRecord)item).TaskId));
                    }
                }

                _input.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The worker is gone; its reader sees the end of its output and fails or requeues its calls.
                Kill();
            }
            finally
            {
                batch.Clear();
            }
        }

        /// <summary>Closes the worker's input: it finishes nothing more and exits. Never call under the owner's lock.</summary>
        public void CloseInput()
        {
            lock (_writeLock)
            {
                if (_inputClosed)
                {
                    return;
                }

                _inputClosed = true;
                try
                {
                    _input?.Dispose();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    Kill();
                }
            }
        }

        public void Kill()
        {
            _process?.Kill();
        }

        /// <summary>Starts the task timeout of <paramref name="record"/>, the call now at the head, on the executor's clock.</summary>
        public void ArmTimeout(CallRecord record, TimeSpan timeout)
        {
            lock (_owner._lock)
            {
                _timeoutTaskId = record.TaskId;
                _timeoutStart = _owner.Time.GetTimestamp();
            }

            ChangeTimer(timeout);
        }

        private void OnTimer()
        {
            var timeout = _owner._taskTimeout!.Value;
            var kill = false;
            lock (_owner._lock)
            {
                if (Exited || InFlight.Count == 0 || !InFlight.Peek().Claimed)
                {
                    return;
                }

                // A head whose timeout is not armed yet is checked when it is (ArmTimeout re-arms the timer).
                var head = InFlight.Peek();
                if (head.TaskId != _timeoutTaskId)
                {
                    return;
                }

                var elapsed = _owner.Time.GetElapsedTime(_timeoutStart);
                if (elapsed >= timeout)
                {
                    head.KillReason = KillReason.Timeout;
                    Dying = true;
                    kill = true;
                }
                else
                {
                    ChangeTimer(timeout - elapsed);
                }
            }

            if (kill)
            {
                Kill();
            }
        }

        private void ChangeTimer(TimeSpan delay)
        {
            try
            {
                _timer?.Change(delay, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The worker has exited.
            }
        }

        private void ReadLoop()
        {
            t_readerOf = _owner;
            Exception? error = null;
            try
            {
                var output = new FrameReader(_process!.Output, _owner.MaxFrameSize, BufferSize);
                var hello = output.Read() ?? throw new EndOfStreamException("The worker exited before saying hello.");
                ReadHello(hello);

                // This worker's runtime is up: the next spare boots now. A pool that recycles its workers keeps a spare
                // booting for each worker it will replace (up to a core each), so a replacement finds a started runtime
                // instead of waiting for one boot after another.
                SpareWorker.Replenish(_owner._launch, _owner._maxTasksPerChild is null ? 1 : Math.Min(_owner.MaxWorkers, Environment.ProcessorCount));
                while (output.Read() is { } body)
                {
                    _owner.OnFrame(this, body, last: !output.HasBufferedFrame);
                }
            }
#pragma warning disable CA1031 // Whatever breaks the channel ends this worker; its calls are failed or requeued.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
                Kill();
            }

            _owner.OnWorkerExited(this, error, WaitForExit());
        }

        private static void ReadHello(byte[] body)
        {
            var parser = new FrameParser(body);
            if (parser.ReadKind() != MessageKind.Hello)
            {
                throw new FrameException("The worker's first frame is not Hello.");
            }

            var version = parser.ReadInt32();
            parser.ReadInt32();
            parser.EnsureEnd();
            if (version != WorkerHost.ProtocolVersion)
            {
                throw new FrameException($"The worker speaks protocol {version}, this library {WorkerHost.ProtocolVersion}: Juggle.Worker.dll and Juggle.dll are from different versions.");
            }
        }

        private int? WaitForExit()
        {
            var process = _process!;
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                Kill();
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }

            _timer?.Dispose();
            lock (_writeLock)
            {
                _inputClosed = true;
                try
                {
                    _input?.Dispose();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    // The pipe is broken: nothing to flush to a dead process.
                }
            }

            int? exitCode = process.HasExited ? process.ExitCode : null;
            process.Dispose();
            return exitCode;
        }
    }
}
