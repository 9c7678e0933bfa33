package io.godwit.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.godwit.proto.criu.Rpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Our rpc.proto must be CRIU's, field for field: a wrong number or type would make CRIU
 * read a different option than the one we meant. The reference is the descriptor that the
 * installed CRIU ships for its Python client (python3-pycriu).
 */
class RpcProtoMatchesCriuTest {

    private static final String DUMP_PYCRIU_DESCRIPTOR = """
            import sys
            sys.path.insert(0, '/usr/lib/python3/dist-packages')
            from pycriu import rpc_pb2
            from google.protobuf import descriptor_pb2 as d
            fd = d.FileDescriptorProto()
            rpc_pb2.DESCRIPTOR.CopyToProto(fd)
            for m in fd.message_type:
                for f in m.field:
                    dv = f.default_value if f.HasField('default_value') else ''
                    print('field', m.name, f.name, f.number, f.type, f.label, f.type_name.lstrip('.'), dv)
            for e in fd.enum_type:
                for v in e.value:
                    print('enum', e.name, v.name, v.number)
            """;

    @Test
    void everyMessageFieldAndEnumValueMatchesTheInstalledCriu() throws Exception {
        TreeSet<String> criu = new TreeSet<>(runPython(DUMP_PYCRIU_DESCRIPTOR));
        TreeSet<String> ours = new TreeSet<>();
        for (Descriptor m : Rpc.getDescriptor().getMessageTypes()) {
            for (FieldDescriptor f : m.toProto().getFieldList().stream()
                    .map(p -> m.findFieldByNumber(p.getNumber())).toList()) {
                var p = f.toProto();
                String dv = p.hasDefaultValue() ? p.getDefaultValue() : "";
                ours.add(String.join(" ", "field", m.getName(), f.getName(),
                        String.valueOf(f.getNumber()), String.valueOf(p.getType().getNumber()),
                        String.valueOf(p.getLabel().getNumber()), p.getTypeName().replaceFirst("^\\.", ""), dv).strip());
            }
        }
        for (EnumDescriptor e : Rpc.getDescriptor().getEnumTypes()) {
            e.getValues().forEach(v -> ours.add("enum " + e.getName() + " " + v.getName() + " " + v.getNumber()));
        }
        assertTrue(criu.size() > 100, "pycriu's descriptor looks empty: " + criu.size() + " entries");
        TreeSet<String> missing = new TreeSet<>(criu);
        missing.removeAll(ours);
        TreeSet<String> extra = new TreeSet<>(ours);
        extra.removeAll(criu);
        assertEquals("", String.join("\n", missing), "in CRIU's rpc.proto but not (or different) in ours");
        assertEquals("", String.join("\n", extra), "in our rpc.proto but not in CRIU's");
    }

    private static List<String> runPython(String program) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", program).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "python3 with pycriu failed (is python3-pycriu installed?):\n" + out);
        List<String> lines = new ArrayList<>();
        out.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
        return lines;
    }
}
