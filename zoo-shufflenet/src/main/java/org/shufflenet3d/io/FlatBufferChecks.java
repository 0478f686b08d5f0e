package org.shufflenet3d.io;

import com.google.flatbuffers.Table;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.nd4j.autodiff.samediff.serde.FlatBuffersMapper;
import org.nd4j.graph.FlatArray;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Checks that a FlatBuffers message (SameDiff's saved graphs) declares nothing larger than the message itself
 * before anything reads it: SameDiff allocates every vector and array at the size its header states, so one damaged
 * byte can make it allocate gigabytes. Every vector, string and nested table reachable through the generated
 * accessors is checked: its length against the buffer, its bytes within the buffer, and an array's element count
 * against its data.
 */
public final class FlatBufferChecks {

    private static final int MAX_DEPTH = 16;
    private static final int MAX_RANK = 32;

    private FlatBufferChecks() {
    }

    /**
     * Checks {@code root}, a table read from a buffer of {@code capacity} bytes.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public static void check(Table root, int capacity) {
        check(root, capacity, 0);
    }

    private static void check(Table table, int capacity, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("tables nested more than " + MAX_DEPTH + " deep");
        }
        Class<?> type = table.getClass();
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() != 0 || method.getDeclaringClass() != type) {
                continue;
            }
            String name = method.getName();
            if (name.endsWith("Length") && method.getReturnType() == int.class) {
                int length = (int) call(method, table);
                if (length < 0 || length > capacity) {
                    throw new IllegalArgumentException(type.getSimpleName() + "." + name + " is " + length
                            + " in a file of " + capacity + " bytes");
                }
                Method element = elementAccessor(type, name.substring(0, name.length() - "Length".length()));
                for (int i = 0; element != null && i < length; i++) {
                    check((Table) call(element, table, i), capacity, depth + 1);
                }
            } else if (name.endsWith("AsByteBuffer") && method.getReturnType() == ByteBuffer.class) {
                call(method, table); // fails when the vector or string reaches past the buffer
            } else if (Table.class.isAssignableFrom(method.getReturnType())) {
                Table nested = (Table) call(method, table);
                if (nested != null) {
                    check(nested, capacity, depth + 1);
                }
            }
        }
        if (table instanceof FlatArray array) {
            checkArray(array);
        }
    }

    /**
     * An array's shape information (rank, sizes, strides, ...) must describe elements that lie within its data:
     * SameDiff allocates the element count it states and copies through the strides it states.
     */
    private static void checkArray(FlatArray array) {
        if (array.shapeLength() == 0) {
            return;
        }
        long rank = array.shape(0);
        if (rank < 0 || rank > MAX_RANK || array.shapeLength() < 2 * rank + 4) {
            throw new IllegalArgumentException("an array of rank " + rank + " with " + array.shapeLength()
                    + " shape entries");
        }
        DataType dataType = FlatBuffersMapper.getDataTypeFromByte(array.dtype());
        if (dataType == DataType.UTF8) {
            return;
        }
        long available = array.bufferLength() / dataType.width();
        long count = 1;
        long lastOffset = 0;
        for (int d = 1; d <= rank; d++) {
            long size = array.shape(d);
            long stride = array.shape((int) rank + d);
            if (size < 0 || size > available || stride < 0 || stride > available) {
                throw new IllegalArgumentException("an array of size " + size + " and stride " + stride
                        + " in dimension " + d + " over " + available + " elements");
            }
            count = Math.multiplyExact(count, size);
            lastOffset = Math.addExact(lastOffset, size == 0 ? 0 : Math.multiplyExact(size - 1, stride));
        }
        if (count > available || (count > 0 && lastOffset >= available)) {
            throw new IllegalArgumentException("an array of " + count + " elements reaching element " + lastOffset
                    + " over " + available);
        }
    }

    private static Method elementAccessor(Class<?> type, String vector) {
        try {
            Method element = type.getMethod(vector, int.class);
            return Table.class.isAssignableFrom(element.getReturnType()) ? element : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Object call(Method method, Object target, Object... arguments) {
        try {
            return method.invoke(target, arguments);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + method, e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(method + " failed", e.getCause());
        }
    }
}
