package org.shufflenet3d.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.shape.Reshape;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a SameDiff graph for a fixed set of outputs, in place of SameDiff's own session: the ops the outputs need, in
 * one order worked out once; every intermediate array's buffer returned to a pool right after its last reader and
 * reused for a later array (one pool for every executor, so that a training step and an evaluation share their
 * memory); output shapes worked out once per input geometry; reshapes of contiguous arrays taken as views. After the
 * first call a run allocates only the arrays it returns, and memory holds only the arrays still to be read, where
 * SameDiff 1.0.0-M2.1's session keeps every array of a gradient computation until the garbage collector finds it,
 * and spends more time per op.
 *
 * <p>This is the one class of the library that depends on how SameDiff stores a graph internally (its
 * {@link SameDiffOp} and {@link Variable} records); {@code GraphExecutorTest} fails if that changes. Ops that
 * implement {@link JavaOp} run their own code; the others run through ND4J's executioner with an op context, as
 * SameDiff runs them, outside any workspace the caller has open (a DL4J network's). Control flow is not supported.
 * Concurrent calls are safe: each thread borrows a session of its own (op contexts and the run's bookkeeping).
 */
public final class GraphExecutor {

    /** Time spent per kind of op (ND4J's op name, and the first input's shape when asked) over runs. */
    public static final class OpTimes {
        private final Map<String, double[]> millisAndCalls = new TreeMap<>();
        private final boolean byShape;

        public OpTimes(boolean byShape) {
            this.byShape = byShape;
        }

        synchronized void add(String op, long nanos) {
            double[] entry = millisAndCalls.computeIfAbsent(op, k -> new double[2]);
            entry[0] += nanos / 1e6;
            entry[1]++;
        }

        /** Op name to {total milliseconds, calls}, slowest first. */
        public synchronized List<Map.Entry<String, double[]>> slowestFirst() {
            List<Map.Entry<String, double[]>> entries = new ArrayList<>();
            millisAndCalls.forEach((op, entry) -> entries.add(Map.entry(op, entry.clone())));
            entries.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
            return entries;
        }
    }

    /** Sessions kept between runs: one per core serves as many concurrent callers as can run at once. */
    private static final int MAX_IDLE_SESSIONS = Runtime.getRuntime().availableProcessors();
    /** Input geometries whose shapes are kept; past this many, all are forgotten. */
    private static final int MAX_GEOMETRIES = 16;

    /** The free buffers every executor allocates from: a training step and an evaluation share one memory. */
    private static final BufferPool POOL = new BufferPool();

    private enum Source { COMPUTED, PLACEHOLDER, STORED }

    private enum Kind { ALIAS, RESHAPE, JAVA, CUSTOM, LEGACY }

    /** One op of the plan. */
    private record Step(String name, DifferentialFunction op, Kind kind, Source[] sources, String[] inputNames,
            int[] inputSlots, int[] outputSlots, DataType[] outputTypes) {
    }

    private final SameDiff sd;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Integer> slots = new HashMap<>();
    private final int[] readsPerSlot;
    private final String[] outputs;
    private final Source[] outputSources;
    private final int[] outputSlots;
    /** Whether an output always lives in a buffer of the executor's (it is not a view of a placeholder's). */
    private final boolean[] outputOwned;
    private final Set<String> placeholdersRead = new LinkedHashSet<>();
    private final Map<String, LongShapeDescriptor[][]> shapesByGeometry = new ConcurrentHashMap<>();
    /** The steps {@link #start} runs; the rest are {@link PartialRun#finish}'s. */
    private final int firstSteps;
    private final List<String> first;
    private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicLong arraysAllocated = new AtomicLong();

    /** Plans the computation of the variables named {@code outputs} in {@code sd}. */
    public GraphExecutor(SameDiff sd, List<String> outputs) {
        this(sd, outputs, List.of());
    }

    /**
     * Plans the computation of {@code outputs} in two parts: {@link #start} runs the ops that the outputs in
     * {@code first} need (they may not read placeholders given only to {@link PartialRun#finish}), and
     * {@link PartialRun#finish} the others. A layer's forward and backward passes are two such parts of one run:
     * the backward pass reads the forward's arrays, which the executor keeps until then.
     */
    public GraphExecutor(SameDiff sd, List<String> outputs, Collection<String> first) {
        this.sd = sd;
        this.outputs = outputs.toArray(String[]::new);
        List<String> firstOps = order(sd, new ArrayList<>(first));
        List<String> ops = new ArrayList<>(firstOps);
        for (String op : order(sd, outputs)) {
            if (!firstOps.contains(op)) {
                ops.add(op);
            }
        }
        for (String op : ops) {
            addStep(sd.getOps().get(op));
        }
        firstSteps = first.isEmpty() ? steps.size() : firstOps.size();
        this.first = List.copyOf(first);
        outputSources = new Source[this.outputs.length];
        outputSlots = new int[this.outputs.length];
        for (int i = 0; i < this.outputs.length; i++) {
            outputSources[i] = source(this.outputs[i]);
            outputSlots[i] = outputSources[i] == Source.COMPUTED ? slot(this.outputs[i]) : -1;
            if (outputSources[i] == Source.PLACEHOLDER) {
                placeholdersRead.add(this.outputs[i]);
            }
        }
        outputOwned = new boolean[this.outputs.length];
        for (int i = 0; i < this.outputs.length; i++) {
            outputOwned[i] = outputSources[i] == Source.COMPUTED && ownsItsBuffer(this.outputs[i]);
        }
        readsPerSlot = new int[slots.size()];
        for (Step step : steps) {
            for (int slot : step.inputSlots()) {
                if (slot >= 0) {
                    readsPerSlot[slot]++;
                }
            }
        }
        for (int slot : outputSlots) {
            if (slot >= 0) {
                readsPerSlot[slot]++;
            }
        }
    }

    /** The number of ops a run executes. */
    public int opCount() {
        return steps.size();
    }

    /**
     * Gives arrays a run returned (by output name) back to the executors' pool, for a caller that reads them no more
     * (a training step's gradients once the optimiser has applied them). Outputs that may share a placeholder's or
     * a variable's memory are left alone. Nothing may read the arrays afterwards.
     */
    public void recycle(Map<String, INDArray> outputsOfARun) {
        Set<DataBuffer> buffers = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < outputs.length; i++) {
            INDArray array = outputsOfARun.get(outputs[i]);
            if (array != null && outputOwned[i]) {
                buffers.add(array.data());
            }
        }
        buffers.forEach(POOL::recycle);
    }

    /** Frees every buffer the executors hold for reuse, for example after training, before serving. */
    public static void releasePooledMemory() {
        POOL.clear();
    }

    /** How many arrays the runs so far allocated rather than took from their pools. */
    long arraysAllocated() {
        return arraysAllocated.get();
    }

    /** The placeholders a run reads. */
    public Set<String> placeholders() {
        return Collections.unmodifiableSet(placeholdersRead);
    }

    /**
     * Computes the outputs from the placeholders' values, by name. The returned arrays belong to the caller: the
     * executor keeps no reference to them, nor to the placeholders' values.
     */
    public Map<String, INDArray> run(Map<String, INDArray> placeholderValues) {
        return run(placeholderValues, null);
    }

    /** {@link #run(Map)}, adding each op's time to {@code times} (when not null). */
    public Map<String, INDArray> run(Map<String, INDArray> placeholderValues, OpTimes times) {
        try (PartialRun run = start(placeholderValues, times)) {
            return run.finish(Map.of());
        }
    }

    /**
     * Runs the ops that the {@code first} outputs need; {@link PartialRun#first} gives those outputs, and
     * {@link PartialRun#finish} runs the rest, or {@link PartialRun#close} drops it.
     */
    public PartialRun start(Map<String, INDArray> placeholderValues, OpTimes times) {
        Session session = idle.poll();
        if (session == null) {
            session = new Session();
        } else {
            idleCount.decrementAndGet();
        }
        PartialRun run = new PartialRun(session, placeholderValues, times);
        try {
            run.runSteps(0, firstSteps);
            return run;
        } catch (RuntimeException | Error e) {
            run.close();
            throw e;
        }
    }

    /** A run between its two parts. Not for use by several threads at once. */
    public final class PartialRun implements AutoCloseable {
        private final Session session;
        private final Map<String, INDArray> placeholderValues;
        private final OpTimes times;
        private boolean done;

        private PartialRun(Session session, Map<String, INDArray> placeholderValues, OpTimes times) {
            this.session = session;
            this.placeholderValues = new HashMap<>(placeholderValues);
            this.times = times;
        }

        /** The outputs the first part computed, by name: valid until {@link #finish} or {@link #close}. */
        public Map<String, INDArray> first() {
            Map<String, INDArray> values = new LinkedHashMap<>();
            for (String name : first) {
                values.put(name, session.value(name, placeholderValues));
            }
            return values;
        }

        /**
         * Runs the rest with these further placeholders and returns every output, which then belongs to the
         * caller.
         */
        public Map<String, INDArray> finish(Map<String, INDArray> laterPlaceholders) {
            if (done) {
                throw new IllegalStateException("this run is over");
            }
            placeholderValues.putAll(laterPlaceholders);
            runSteps(firstSteps, steps.size());
            Map<String, INDArray> result = session.outputs(placeholderValues);
            close();
            return result;
        }

        private void runSteps(int from, int to) {
            for (String name : placeholdersRead) {
                if (placeholderValues.get(name) == null && isReadBetween(name, from, to)) {
                    throw new IllegalArgumentException("no value for the placeholder '" + name + "'");
                }
            }
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                session.runSteps(from, to, placeholderValues, times);
            }
        }

        /** Ends the run, giving back what it held. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            session.clear();
            if (idleCount.incrementAndGet() <= MAX_IDLE_SESSIONS) {
                idle.add(session);
            } else {
                idleCount.decrementAndGet();
            }
        }
    }

    private boolean isReadBetween(String placeholder, int from, int to) {
        for (int s = from; s < to; s++) {
            if (Arrays.asList(steps.get(s).inputNames()).contains(placeholder)) {
                return true;
            }
        }
        return to == steps.size() && Arrays.asList(outputs).contains(placeholder);
    }

    /** The ops the outputs need, each after the ops it depends on. */
    private static List<String> order(SameDiff sd, List<String> outputs) {
        Map<String, Variable> variables = sd.getVariables();
        List<String> ordered = new ArrayList<>();
        Set<String> visited = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        Set<String> expanded = new HashSet<>();
        for (String output : outputs) {
            Variable v = variables.get(output);
            if (v == null) {
                throw new IllegalArgumentException("the graph has no variable '" + output + "'");
            }
            if (v.getOutputOfOp() != null) {
                pending.push(v.getOutputOfOp());
            }
            while (!pending.isEmpty()) {
                String op = pending.peek();
                if (visited.contains(op)) {
                    pending.pop();
                    continue;
                }
                if (expanded.add(op)) {
                    for (String input : dependencies(sd.getOps().get(op))) {
                        String producer = variables.get(input).getOutputOfOp();
                        if (producer != null && !visited.contains(producer)) {
                            pending.push(producer);
                        }
                    }
                } else {
                    pending.pop();
                    visited.add(op);
                    ordered.add(op);
                }
            }
        }
        return ordered;
    }

    /** Whether a variable's value is always in a buffer an op of the plan allocated, following views back. */
    private boolean ownsItsBuffer(String variable) {
        String producer = sd.getVariables().get(variable).getOutputOfOp();
        if (producer == null) {
            return false;
        }
        SameDiffOp op = sd.getOps().get(producer);
        Kind kind = kind(op.getOp());
        return kind != Kind.ALIAS && kind != Kind.RESHAPE || source(op.getInputsToOp().get(0)) == Source.COMPUTED
                && ownsItsBuffer(op.getInputsToOp().get(0));
    }

    private static List<String> dependencies(SameDiffOp op) {
        List<String> dependencies = new ArrayList<>();
        if (op.getInputsToOp() != null) {
            dependencies.addAll(op.getInputsToOp());
        }
        if (op.getControlDeps() != null) {
            dependencies.addAll(op.getControlDeps());
        }
        return dependencies;
    }

    private void addStep(SameDiffOp record) {
        DifferentialFunction op = record.getOp();
        List<String> inputs = record.getInputsToOp() == null ? List.of() : record.getInputsToOp();
        Source[] sources = new Source[inputs.size()];
        int[] inputSlots = new int[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            sources[i] = source(inputs.get(i));
            inputSlots[i] = sources[i] == Source.COMPUTED ? slot(inputs.get(i)) : -1;
            if (sources[i] == Source.PLACEHOLDER) {
                placeholdersRead.add(inputs.get(i));
            }
        }
        List<String> outs = record.getOutputsOfOp();
        int[] outputSlotsOfOp = new int[outs.size()];
        DataType[] types = new DataType[outs.size()];
        for (int i = 0; i < outs.size(); i++) {
            outputSlotsOfOp[i] = slot(outs.get(i));
            types[i] = sd.getVariable(outs.get(i)).dataType();
        }
        steps.add(new Step(record.getName(), op, kind(op), sources, inputs.toArray(String[]::new), inputSlots,
                outputSlotsOfOp, types));
    }

    private static Kind kind(DifferentialFunction op) {
        if (op instanceof Identity) {
            return Kind.ALIAS;
        }
        if (op instanceof Reshape) {
            return Kind.RESHAPE;
        }
        if (op instanceof JavaOp) {
            return Kind.JAVA;
        }
        if (op instanceof DynamicCustomOp) {
            return Kind.CUSTOM;
        }
        if (op instanceof BaseOp) {
            return Kind.LEGACY;
        }
        throw new UnsupportedOperationException("op " + op.getOwnName() + " (" + op.getClass().getName()
                + ") cannot be run by GraphExecutor");
    }

    private Source source(String name) {
        SDVariable v = sd.getVariable(name);
        if (v.getVariableType() == VariableType.PLACEHOLDER) {
            return Source.PLACEHOLDER;
        }
        return v.getVariableType() == VariableType.ARRAY ? Source.COMPUTED : Source.STORED;
    }

    private int slot(String name) {
        return slots.computeIfAbsent(name, n -> slots.size());
    }

    /**
     * One thread's state: op contexts and a run's values. Each computed value lives in a buffer the executor
     * allocated (its owner, which views share) or in one it does not manage (a placeholder's, a variable's); an owner
     * goes back to the pool when the reads still due from all the values it holds reach zero. Views are made on the
     * owner's buffer itself: ND4J's reshape wraps the buffer in a new one each time, and a buffer reused run after
     * run would end at the bottom of a chain of wrappers.
     */
    private final class Session {
        private final OpContext[] contexts = new OpContext[steps.size()];
        private final INDArray[] values = new INDArray[slots.size()];
        private final DataBuffer[] owners = new DataBuffer[slots.size()];
        private final Map<DataBuffer, Integer> readsDue = new IdentityHashMap<>();

        void runSteps(int from, int to, Map<String, INDArray> placeholderValues, OpTimes times) {
            LongShapeDescriptor[][] shapes = shapes(placeholderValues);
            for (int s = from; s < to; s++) {
                long start = times == null ? 0 : System.nanoTime();
                runStep(s, placeholderValues, shapes);
                if (times != null) {
                    Step step = steps.get(s);
                    String key = step.op().opName();
                    if (times.byShape && step.inputNames().length > 0) {
                        INDArray firstInput = value(step.inputNames()[0], placeholderValues);
                        key += " " + Arrays.toString(firstInput == null ? new long[0] : firstInput.shape());
                    }
                    times.add(key, System.nanoTime() - start);
                }
            }
        }

        /** Each step's output shapes for these placeholders' geometry, as far as worked out. */
        private LongShapeDescriptor[][] shapes(Map<String, INDArray> placeholderValues) {
            StringBuilder geometry = new StringBuilder();
            for (String name : placeholdersRead) {
                INDArray value = placeholderValues.get(name);
                geometry.append(value == null ? "-" : Arrays.toString(value.shape()) + value.dataType()).append(';');
            }
            if (shapesByGeometry.size() >= MAX_GEOMETRIES && !shapesByGeometry.containsKey(geometry.toString())) {
                shapesByGeometry.clear();
            }
            return shapesByGeometry.computeIfAbsent(geometry.toString(), k -> new LongShapeDescriptor[steps.size()][]);
        }

        INDArray value(String name, Map<String, INDArray> placeholderValues) {
            return switch (source(name)) {
                case COMPUTED -> values[slots.get(name)];
                case PLACEHOLDER -> placeholderValues.get(name);
                case STORED -> sd.getArrForVarName(name);
            };
        }

        /** The outputs, handed to the caller: their buffers leave the executor's keeping. */
        Map<String, INDArray> outputs(Map<String, INDArray> placeholderValues) {
            Map<String, INDArray> result = new LinkedHashMap<>();
            for (int i = 0; i < outputs.length; i++) {
                result.put(outputs[i], value(outputs[i], placeholderValues));
                if (outputSlots[i] >= 0 && owners[outputSlots[i]] != null) {
                    readsDue.remove(owners[outputSlots[i]]);
                }
            }
            return result;
        }

        /** Gives back every buffer still held and forgets the run's values. */
        void clear() {
            readsDue.keySet().forEach(POOL::recycle);
            readsDue.clear();
            Arrays.fill(values, null);
            Arrays.fill(owners, null);
        }

        private void runStep(int index, Map<String, INDArray> placeholderValues, LongShapeDescriptor[][] shapes) {
            Step step = steps.get(index);
            INDArray[] inputs = new INDArray[step.inputNames().length];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = switch (step.sources()[i]) {
                    case COMPUTED -> values[step.inputSlots()[i]];
                    case PLACEHOLDER -> placeholderValues.get(step.inputNames()[i]);
                    case STORED -> sd.getArrForVarName(step.inputNames()[i]);
                };
                if (inputs[i] == null) {
                    throw new IllegalStateException("op " + step.name() + " has no value for its input "
                            + step.inputNames()[i]);
                }
            }
            try {
                switch (step.kind()) {
                    case ALIAS -> hold(step.outputSlots()[0], inputs[0], ownerOf(step, 0));
                    case RESHAPE -> reshape(index, step, inputs, shapes);
                    default -> {
                        INDArray[] results = execute(index, step, inputs, shapes);
                        for (int o = 0; o < results.length; o++) {
                            hold(step.outputSlots()[o], results[o], results[o].data());
                        }
                    }
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("op " + step.name() + " (" + step.op().opName() + ") failed on "
                        + describe(inputs) + ": " + e.getMessage(), e);
            }
            for (int slot : step.inputSlots()) {
                if (slot >= 0 && owners[slot] != null) {
                    countReads(owners[slot], 1);
                }
            }
            for (int slot : step.outputSlots()) {
                if (readsPerSlot[slot] == 0 && owners[slot] != null) {
                    countReads(owners[slot], 0);
                }
            }
        }

        private DataBuffer ownerOf(Step step, int input) {
            int slot = step.inputSlots()[input];
            return slot >= 0 ? owners[slot] : null;
        }

        /** A contiguous input reshaped in place; otherwise the op runs and copies. */
        private void reshape(int index, Step step, INDArray[] inputs, LongShapeDescriptor[][] shapes) {
            if (shapes[index] == null) {
                shapes[index] = calculateShapes(index, step, inputs);
            }
            INDArray input = inputs[0];
            if (ChannelRows.isContiguous(input)) {
                long[] shape = shapes[index][0].getShape();
                INDArray view = Nd4j.create(input.data(), shape, Nd4j.getStrides(shape, 'c'), input.offset(), 'c');
                hold(step.outputSlots()[0], view, ownerOf(step, 0));
                return;
            }
            INDArray[] results = execute(index, step, inputs, shapes);
            hold(step.outputSlots()[0], results[0], results[0].data());
        }

        private INDArray[] execute(int index, Step step, INDArray[] inputs, LongShapeDescriptor[][] shapes) {
            if (step.kind() == Kind.JAVA) {
                JavaOp op = (JavaOp) step.op();
                if (shapes[index] == null) {
                    shapes[index] = op.outputShapes(inputs).toArray(LongShapeDescriptor[]::new);
                }
                INDArray[] results = allocate(step, shapes[index]);
                op.execute(inputs, results);
                return results;
            }
            OpContext context = context(index, step, inputs);
            if (shapes[index] == null) {
                shapes[index] = calculateShapes(index, step, inputs);
            }
            INDArray[] results = allocate(step, shapes[index]);
            context.setOutputArrays(results);
            if (step.op() instanceof CustomOp custom) {
                Nd4j.exec(custom, context);
            } else {
                Nd4j.exec((Op) step.op(), context);
            }
            context.purge();
            return results;
        }

        private LongShapeDescriptor[] calculateShapes(int index, Step step, INDArray[] inputs) {
            OpContext context = context(index, step, inputs);
            List<LongShapeDescriptor> calculated = step.kind() == Kind.LEGACY
                    ? ((BaseOp) step.op()).calculateOutputShape(context)
                    : ((DynamicCustomOp) step.op()).calculateOutputShape(context);
            LongShapeDescriptor[] typed = new LongShapeDescriptor[calculated.size()];
            for (int i = 0; i < typed.length; i++) {
                LongShapeDescriptor shape = calculated.get(i);
                // ND4J's shape functions cannot always tell an output's type; the graph's variable says it.
                typed[i] = i < step.outputTypes().length && shape.dataType() != step.outputTypes()[i]
                        ? shape.asDataType(step.outputTypes()[i]) : shape;
            }
            return typed;
        }

        private OpContext context(int index, Step step, INDArray[] inputs) {
            OpContext context = contexts[index];
            if (context == null) {
                context = Nd4j.getExecutioner().buildContext();
                contexts[index] = context;
            }
            if (step.kind() == Kind.LEGACY) {
                context.setInputArray(0, inputs[0]);
                if (inputs.length > 1) {
                    if (step.op() instanceof ScalarOp || inputs.length > 2) {
                        throw new UnsupportedOperationException("legacy op with its scalar or axis as an input");
                    }
                    context.setInputArray(1, inputs[1]);
                }
            } else {
                DynamicCustomOp op = (DynamicCustomOp) step.op();
                context.setArgs(inputs, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
            }
            return context;
        }

        private INDArray[] allocate(Step step, LongShapeDescriptor[] shapes) {
            if (shapes.length != step.outputSlots().length) {
                throw new IllegalStateException("its shape function gave " + shapes.length + " shapes for "
                        + step.outputSlots().length + " outputs");
            }
            INDArray[] results = new INDArray[shapes.length];
            for (int i = 0; i < results.length; i++) {
                long[] dims = shapes[i].getShape();
                DataType type = shapes[i].dataType();
                DataBuffer buffer = POOL.take(type, Shape.lengthOf(dims));
                if (buffer == null) {
                    results[i] = Nd4j.createUninitializedDetached(type, dims);
                    arraysAllocated.incrementAndGet();
                } else {
                    results[i] = Nd4j.create(buffer, dims, Nd4j.getStrides(dims, 'c'), 0, 'c');
                }
            }
            return results;
        }

        /** Records a value and the executor's buffer it lives in (null for arrays the executor does not own). */
        private void hold(int slot, INDArray value, DataBuffer owner) {
            values[slot] = value;
            owners[slot] = owner;
            if (owner != null) {
                readsDue.merge(owner, readsPerSlot[slot], Integer::sum);
            }
        }

        /** Counts {@code reads} reads of an owner's values; recycles it when none are due. */
        private void countReads(DataBuffer owner, int reads) {
            Integer due = readsDue.get(owner);
            if (due == null) {
                return;
            }
            if (due - reads == 0) {
                readsDue.remove(owner);
                POOL.recycle(owner);
            } else {
                readsDue.put(owner, due - reads);
            }
        }
    }

    private static String describe(INDArray[] arrays) {
        StringBuilder out = new StringBuilder("[");
        for (INDArray a : arrays) {
            out.append(out.length() > 1 ? ", " : "").append(a.dataType()).append(Arrays.toString(a.shape()));
        }
        return out.append(']').toString();
    }

    /**
     * Free buffers by type and length. A request takes the smallest free buffer holding at least its length and at
     * most twice as much (the array uses its beginning): taking only exact lengths left a training step's pool half
     * again as large as the arrays alive at once.
     */
    private static final class BufferPool {
        private final Map<DataType, TreeMap<Long, Deque<DataBuffer>>> free =
                new EnumMap<>(DataType.class);

        synchronized DataBuffer take(DataType type, long length) {
            TreeMap<Long, Deque<DataBuffer>> byLength = free.get(type);
            Map.Entry<Long, Deque<DataBuffer>> fit = byLength == null ? null : byLength.ceilingEntry(length);
            if (fit == null || fit.getKey() > 2 * length) {
                return null;
            }
            DataBuffer buffer = fit.getValue().pop();
            if (fit.getValue().isEmpty()) {
                byLength.remove(fit.getKey());
            }
            return buffer;
        }

        synchronized void recycle(DataBuffer buffer) {
            free.computeIfAbsent(buffer.dataType(), t -> new TreeMap<>())
                    .computeIfAbsent(buffer.length(), k -> new ArrayDeque<>()).push(buffer);
        }

        synchronized void clear() {
            free.values().forEach(byLength -> byLength.values().forEach(buffers -> buffers.forEach(buffer -> {
                if (buffer.closeable()) {
                    buffer.close();
                }
            })));
            free.clear();
        }
    }
}
