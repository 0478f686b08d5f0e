package org.shufflenet3d.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** PyTorch's storages (flat typed buffers) and the tensors viewing them, as a checkpoint describes them. */
final class TorchStorage {

    private TorchStorage() {
    }

    /** Element types by their legacy storage class, {@code torch.FloatStorage} and so on. */
    enum ElementType {
        FLOAT("FloatStorage", 4), DOUBLE("DoubleStorage", 8), HALF("HalfStorage", 2), BFLOAT16("BFloat16Storage", 2),
        LONG("LongStorage", 8), INT("IntStorage", 4), SHORT("ShortStorage", 2), CHAR("CharStorage", 1),
        BYTE("ByteStorage", 1), BOOL("BoolStorage", 1);

        final String storageClass;
        final int size;

        ElementType(String storageClass, int size) {
            this.storageClass = storageClass;
            this.size = size;
        }

        static ElementType forStorageClass(String name) {
            for (ElementType t : values()) {
                if (t.storageClass.equals(name)) {
                    return t;
                }
            }
            return null;
        }

        float read(ByteBuffer data, int index) {
            int at = index * size;
            return switch (this) {
                case FLOAT -> data.getFloat(at);
                case DOUBLE -> (float) data.getDouble(at);
                case HALF -> NumpyFiles.halfToFloat(data.getShort(at));
                case BFLOAT16 -> Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
                case LONG -> data.getLong(at);
                case INT -> data.getInt(at);
                case SHORT -> data.getShort(at);
                case CHAR -> data.get(at);
                case BYTE -> data.get(at) & 0xff;
                case BOOL -> data.get(at) != 0 ? 1f : 0f;
            };
        }
    }

    /** A storage named in the pickle; its bytes come from elsewhere in the file. */
    record Storage(String key, ElementType type, long elements) {
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}. */
    record TensorView(Storage storage, long offset, long[] shape, long[] stride) {

        /** The number of elements viewed; Long.MAX_VALUE when the shape's product overflows. */
        long elements() {
            long count = 1;
            try {
                for (long size : shape) {
                    count = Math.multiplyExact(count, size);
                }
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
            return count;
        }

        /** Refuses the view unless it lies within a storage of {@code available} elements. */
        void requireWithin(long available, String source, String name) throws IOException {
            long count = 1;
            long last = offset;
            try {
                for (int d = 0; d < shape.length; d++) {
                    count = Math.multiplyExact(count, shape[d]);
                    if (shape[d] > 0) {
                        last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, stride[d]));
                    }
                }
            } catch (ArithmeticException e) {
                count = Long.MAX_VALUE;
                last = Long.MAX_VALUE;
            }
            if (count > available) {
                throw new MalformedFileException(source + ": tensor '" + name + "' " + Arrays.toString(shape)
                        + " has more elements than its storage of " + available + " (an expanded tensor, which a"
                        + " state_dict does not hold, or a damaged file)");
            }
            if (offset < 0 || (count > 0 && last >= available)) {
                throw new MalformedFileException(source + ": tensor '" + name + "' " + Arrays.toString(shape)
                        + " at offset " + offset + " reaches past its storage of " + available + " elements"
                        + " (truncated file?)");
            }
        }

        /** The viewed elements as a float32 C-order array; the view must lie within {@code bytes}. */
        INDArray toFloatArray(ByteBuffer bytes, String source, String name) throws IOException {
            ByteBuffer data = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            requireWithin(data.remaining() / storage.type().size, source, name);
            int count = (int) elements();
            float[] values = new float[count];
            long[] index = new long[shape.length];
            ByteBuffer slice = data.slice().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                long position = offset;
                for (int d = 0; d < shape.length; d++) {
                    position += index[d] * stride[d];
                }
                values[i] = storage.type().read(slice, (int) position);
                for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                    index[d] = 0;
                }
            }
            return shape.length == 0 ? Nd4j.scalar(values[0]) : Nd4j.create(values, shape, 'c');
        }
    }

    /** Reads {@code _rebuild_tensor_v2}'s and {@code _rebuild_tensor}'s arguments. */
    static TensorView rebuildTensor(List<Object> arguments, String source) throws IOException {
        if (arguments.size() < 4 || !(arguments.get(0) instanceof Storage storage)) {
            throw new MalformedFileException(source + ": malformed tensor record; expected a PyTorch checkpoint");
        }
        long offset = asLong(arguments.get(1), source);
        long[] shape = asLongs(arguments.get(2), source);
        long[] stride = asLongs(arguments.get(3), source);
        if (shape.length != stride.length) {
            throw new MalformedFileException(source + ": tensor shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        return new TensorView(storage, offset, shape, stride);
    }

    private static long asLong(Object o, String source) throws IOException {
        if (o instanceof Long l) {
            return l;
        }
        throw new MalformedFileException(source + ": expected an integer in a tensor record, found "
                + RestrictedUnpickler.preview(o));
    }

    private static long[] asLongs(Object o, String source) throws IOException {
        if (!(o instanceof RestrictedUnpickler.Tuple tuple)) {
            throw new MalformedFileException(source + ": expected a tuple of integers in a tensor record, found "
                    + RestrictedUnpickler.preview(o));
        }
        long[] values = new long[tuple.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = asLong(tuple.get(i), source);
            if (values[i] < 0) {
                throw new MalformedFileException(source + ": negative size or stride in a tensor record");
            }
        }
        return values;
    }
}
