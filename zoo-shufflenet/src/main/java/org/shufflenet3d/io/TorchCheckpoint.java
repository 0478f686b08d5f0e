package org.shufflenet3d.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A PyTorch checkpoint ({@code .pth}) read in pure Java: the legacy format of PyTorch before 1.6, which the
 * reference's published checkpoints use, and the zip format after it. The top level may be the reference's dict
 * ({@code state_dict}, {@code arch}, {@code epoch}, {@code best_prec1}, {@code optimizer}) or a bare state_dict.
 * The pickle is read without running anything: only the globals a state_dict needs are accepted.
 *
 * @param stateDict the tensors by key as written (a {@code module.} prefix kept), converted to float32
 * @param arch the reference's {@code arch} entry, if any
 * @param epoch the {@code epoch} entry, if any
 */
public record TorchCheckpoint(Map<String, INDArray> stateDict, Optional<String> arch, Optional<Long> epoch) {

    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    private static final String EXPECTED = "a PyTorch checkpoint (.pth)";
    /** A legacy checkpoint is read whole: it may not be larger than an array can be. */
    private static final long MAX_LEGACY_BYTES = Integer.MAX_VALUE - 8;
    /** A state_dict's pickle is a few hundred KB; the tensors' data is stored beside it. */
    private static final int MAX_PICKLE_BYTES = 64 << 20;

    /** The only globals accepted, by {@code module.name}; storages are resolved separately. */
    private static final Set<String> ALLOWED_GLOBALS = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter");

    public TorchCheckpoint {
        stateDict = Collections.unmodifiableMap(new LinkedHashMap<>(stateDict));
    }

    /** A checkpoint of either format, told apart by its first bytes. */
    public static TorchCheckpoint read(Path file) throws IOException {
        InputFiles.require(file);
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 2) {
                throw new MalformedFileException(file + ": empty or truncated file; expected " + EXPECTED);
            }
        }
        if (head[0] == 'P' && head[1] == 'K') {
            return readZip(file);
        }
        if ((head[0] & 0xff) == 0x80) {
            return readLegacy(file);
        }
        throw new MalformedFileException(file + ": not " + EXPECTED + " (neither a zip archive nor a pickle)");
    }

    /** A checkpoint in the zip format PyTorch writes since 1.6. */
    public static TorchCheckpoint readZip(Path file) throws IOException {
        String source = file.toString();
        return withinNesting(source, () -> readZip(file, source));
    }

    /** A checkpoint in the legacy format of PyTorch before 1.6 (a sequence of pickles), read whole. */
    public static TorchCheckpoint readLegacy(Path file) throws IOException {
        String source = file.toString();
        long size = Files.size(InputFiles.require(file));
        if (size > MAX_LEGACY_BYTES) {
            throw new MalformedFileException(source + ": a legacy checkpoint of " + size + " bytes; expected"
                    + " at most " + MAX_LEGACY_BYTES);
        }
        return withinNesting(source, () -> readLegacy(ByteBuffer.wrap(Files.readAllBytes(file)), source));
    }

    private interface Reader {
        TorchCheckpoint read() throws IOException;
    }

    private static TorchCheckpoint withinNesting(String source, Reader reader) throws IOException {
        try {
            return reader.read();
        } catch (StackOverflowError e) {
            // a pickle can nest containers, or make one contain itself, beyond what hashing or printing them can take
            throw new MalformedFileException(source + ": containers nested too deeply; expected " + EXPECTED);
        }
    }

    private static TorchCheckpoint readLegacy(ByteBuffer bytes, String source) throws IOException {
        Map<String, TorchStorage.Storage> storages = new LinkedHashMap<>();
        RestrictedUnpickler header = new RestrictedUnpickler(bytes, source, (module, name) -> {
            throw new ForbiddenGlobalException(source + ": refusing to load: the checkpoint header names the global '"
                    + module + "." + name + "'");
        }, pid -> {
            throw new MalformedFileException(source + ": unexpected persistent id in the header");
        });
        if (!LEGACY_MAGIC.equals(header.load())) {
            throw new MalformedFileException(source + ": not " + EXPECTED + " (no PyTorch magic number)");
        }
        Object protocol = header.load();
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
            throw new MalformedFileException(source + ": unsupported PyTorch serialization protocol " + protocol);
        }
        if (header.load() instanceof Map<?, ?> sysInfo && Boolean.FALSE.equals(sysInfo.get("little_endian"))) {
            throw new MalformedFileException(source + ": written on a big-endian machine; only little-endian"
                    + " checkpoints are supported");
        }
        Object root = new RestrictedUnpickler(bytes, source, (m, n) -> resolve(m, n, source),
                pid -> storage(pid, storages, source, true)).load();
        Object keys = header.load();
        if (!(keys instanceof List<?> keyList)) {
            throw new MalformedFileException(source + ": storage list missing (truncated file?)");
        }
        Map<String, ByteBuffer> data = new HashMap<>();
        if (keyList.size() > bytes.remaining() / Long.BYTES) {
            throw new MalformedFileException(source + ": lists " + keyList.size() + " storages in "
                    + bytes.remaining() + " bytes (truncated file?)");
        }
        for (Object listed : keyList) {
            if (!(listed instanceof String key)) {
                throw new MalformedFileException(source + ": its storage list holds "
                        + RestrictedUnpickler.preview(listed) + "; expected storage keys");
            }
            TorchStorage.Storage storage = storages.get(key);
            if (bytes.remaining() < Long.BYTES) {
                throw new MalformedFileException(source + ": truncated: storage " + key + " is missing");
            }
            long elements = bytes.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (storage == null || elements < 0 || elements > bytes.remaining() / storage.type().size) {
                throw new MalformedFileException(source + ": truncated or inconsistent storage " + key
                        + "; expected " + EXPECTED);
            }
            int length = (int) elements * storage.type().size;
            ByteBuffer slice = bytes.slice();
            slice.limit(length);
            data.put(key, slice);
            bytes.position(bytes.position() + length);
        }
        return fromRoot(root, storage -> data.get(storage.key()), source);
    }

    private static TorchCheckpoint readZip(Path file, String source) throws IOException {
        try (ZipFile zip = ZipArchives.open(file, EXPECTED)) {
            ZipEntry pickle = zip.stream().filter(e -> e.getName().endsWith("data.pkl")).findFirst()
                    .orElseThrow(() -> new MalformedFileException(source + ": a zip archive without data.pkl;"
                            + " expected " + EXPECTED));
            String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            Map<String, TorchStorage.Storage> storages = new LinkedHashMap<>();
            Object root = new RestrictedUnpickler(ByteBuffer.wrap(readPickle(zip, pickle, source)), source,
                    (m, n) -> resolve(m, n, source), pid -> storage(pid, storages, source, false)).load();
            return fromRoot(root, storage -> {
                ZipEntry entry = zip.getEntry(prefix + "data/" + storage.key());
                if (entry == null) {
                    throw new MalformedFileException(source + ": storage data/" + storage.key()
                            + " is missing from the archive");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    // no further than the storage's size: its entry may claim or inflate to more
                    return ByteBuffer.wrap(in.readNBytes((int) (storage.elements() * storage.type().size)));
                }
            }, source);
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(source + ": damaged zip archive (" + e.getMessage() + "); expected "
                    + EXPECTED, e);
        }
    }

    private static byte[] readPickle(ZipFile zip, ZipEntry entry, String source) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] pickle = in.readNBytes(MAX_PICKLE_BYTES + 1);
            if (pickle.length > MAX_PICKLE_BYTES) {
                throw new MalformedFileException(source + ": its " + entry.getName() + " is larger than "
                        + MAX_PICKLE_BYTES + " bytes; expected the pickle of " + EXPECTED);
            }
            return pickle;
        }
    }

    /**
     * Each tensor must lie within the size its storage declares, and the state_dict's storages, and its tensors
     * as float32, may hold at most NumpyFiles.MAX_ELEMENTS: checked before any storage is read.
     */
    private static void requireWithinLimit(Map<String, TorchStorage.TensorView> views, String source)
            throws IOException {
        long tensorElements = 0;
        long storageElements = 0;
        Set<TorchStorage.Storage> storages = new HashSet<>();
        for (Map.Entry<String, TorchStorage.TensorView> entry : views.entrySet()) {
            entry.getValue().requireWithin(entry.getValue().storage().elements(), source, entry.getKey());
            tensorElements += Math.min(entry.getValue().elements(), NumpyFiles.MAX_ELEMENTS + 1);
            if (storages.add(entry.getValue().storage())) {
                storageElements += entry.getValue().storage().elements();
            }
            if (tensorElements > NumpyFiles.MAX_ELEMENTS || storageElements > NumpyFiles.MAX_ELEMENTS) {
                throw new MalformedFileException(source + ": its state_dict holds more than "
                        + NumpyFiles.MAX_ELEMENTS + " elements (at tensor '" + entry.getKey() + "'); expected "
                        + EXPECTED + " of a network's parameters");
            }
        }
    }

    private static Object resolve(String module, String name, String source) throws IOException {
        String global = module + "." + name;
        if (module.equals("torch")) {
            TorchStorage.ElementType type = TorchStorage.ElementType.forStorageClass(name);
            if (type != null) {
                return type;
            }
        }
        if (!ALLOWED_GLOBALS.contains(global)) {
            throw new ForbiddenGlobalException(source + ": refusing to load: the pickle names the global '" + global
                    + "', which a PyTorch state_dict does not need (only tensors, storages and OrderedDict are"
                    + " accepted)");
        }
        return switch (name) {
            case "OrderedDict" -> (RestrictedUnpickler.Callable) arguments -> new LinkedHashMap<>();
            case "_rebuild_parameter" -> (RestrictedUnpickler.Callable) arguments -> arguments.get(0);
            default -> (RestrictedUnpickler.Callable) arguments -> TorchStorage.rebuildTensor(arguments, source);
        };
    }

    /**
     * A persistent id: {@code ('storage', type, key, location, elements)}, followed in the legacy format by a view
     * of another storage, which PyTorch 1.0 wrote as None.
     */
    private static TorchStorage.Storage storage(Object pid, Map<String, TorchStorage.Storage> storages,
            String source, boolean legacy) throws IOException {
        if (!(pid instanceof RestrictedUnpickler.Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof TorchStorage.ElementType type) || !(t.get(4) instanceof Long elements)) {
            throw new MalformedFileException(source + ": unsupported persistent id " + RestrictedUnpickler.preview(pid)
                    + "; expected " + EXPECTED);
        }
        if (legacy && t.size() > 5 && t.get(5) != null) {
            throw new MalformedFileException(source + ": storage views are not supported");
        }
        if (elements < 0 || elements > NumpyFiles.MAX_ELEMENTS) {
            throw new MalformedFileException(source + ": a storage of " + elements + " elements; expected at most "
                    + NumpyFiles.MAX_ELEMENTS + " in " + EXPECTED);
        }
        if (!(t.get(2) instanceof String key)) {
            throw new MalformedFileException(source + ": a storage whose key is "
                    + RestrictedUnpickler.preview(t.get(2)) + "; expected " + EXPECTED);
        }
        TorchStorage.Storage storage = storages.computeIfAbsent(key, k -> new TorchStorage.Storage(k, type, elements));
        if (storage.type() != type) {
            throw new MalformedFileException(source + ": storage " + key + " is read as two element types");
        }
        return storage;
    }

    /** Where the bytes of a storage the state_dict uses come from. */
    @FunctionalInterface
    private interface StorageData {
        ByteBuffer of(TorchStorage.Storage storage) throws IOException;
    }

    private static TorchCheckpoint fromRoot(Object root, StorageData data, String source) throws IOException {
        if (!(root instanceof Map<?, ?> top)) {
            throw new MalformedFileException(source + ": holds no dict; expected a state_dict or the reference's"
                    + " checkpoint dict");
        }
        Object arch = top.get("arch");
        Object epoch = top.get("epoch");
        Map<?, ?> tensors = top.get("state_dict") instanceof Map<?, ?> inner ? inner : top;
        Map<String, TorchStorage.TensorView> views = new LinkedHashMap<>();
        List<String> notTensors = new ArrayList<>();
        for (Map.Entry<?, ?> e : tensors.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new MalformedFileException(source + ": a state_dict key is "
                        + RestrictedUnpickler.preview(e.getKey()) + ", not a name");
            }
            if (e.getValue() instanceof TorchStorage.TensorView view) {
                views.put(name, view);
            } else {
                notTensors.add(name);
            }
        }
        if (views.isEmpty() || !notTensors.isEmpty() && tensors == top) {
            throw new MalformedFileException(source + ": no state_dict found (top-level keys "
                    + RestrictedUnpickler.preview(top.keySet()) + "); expected a state_dict or a dict with a"
                    + " 'state_dict' entry");
        }
        if (!notTensors.isEmpty()) {
            throw new MalformedFileException(source + ": state_dict entries "
                    + RestrictedUnpickler.preview(notTensors) + " are not tensors");
        }
        requireWithinLimit(views, source);
        Map<TorchStorage.Storage, ByteBuffer> storageBytes = new HashMap<>();
        Map<String, INDArray> stateDict = new LinkedHashMap<>();
        for (Map.Entry<String, TorchStorage.TensorView> entry : views.entrySet()) {
            TorchStorage.Storage storage = entry.getValue().storage();
            ByteBuffer bytes = storageBytes.containsKey(storage) ? storageBytes.get(storage) : data.of(storage);
            if (bytes == null) {
                throw new MalformedFileException(source + ": data of tensor '" + entry.getKey() + "' is missing");
            }
            storageBytes.put(storage, bytes);
            stateDict.put(entry.getKey(), entry.getValue().toFloatArray(bytes, source, entry.getKey()));
        }
        return new TorchCheckpoint(stateDict,
                arch instanceof String s ? Optional.of(s) : Optional.empty(),
                epoch instanceof Long l ? Optional.of(l) : Optional.empty());
    }
}
