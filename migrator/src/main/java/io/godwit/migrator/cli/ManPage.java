package io.godwit.migrator.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One man page (troff, man macros) of one command, made from the same picocli model as its
 * --help, so that the two never disagree. picocli's own generator writes AsciiDoc, which would
 * need asciidoctor at build time; man's macros are few enough to write directly.
 */
final class ManPage {
    private ManPage() {
    }

    /** The page's file name without section: godwit, godwit-image-import, godwitd. */
    static String name(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName("-");
    }

    static String render(CommandLine cl, int section, String version) {
        CommandSpec spec = cl.getCommandSpec();
        StringBuilder t = new StringBuilder();
        String name = name(cl);
        t.append(".TH ").append(quote(name.toUpperCase(Locale.ROOT))).append(' ').append(section)
                .append(" \"\" ").append(quote(version)).append(" \"Godwit Manual\"\n");
        t.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(summary(spec))).append('\n');
        t.append(".SH SYNOPSIS\n.nf\n");
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        String synopsis = help.synopsis(0).stripTrailing();
        for (String line : synopsis.split("\n")) {
            t.append(escapeLine(line)).append('\n');
        }
        t.append(".fi\n");
        String[] description = spec.usageMessage().description();
        if (description.length > 0) {
            t.append(".SH DESCRIPTION\n");
            for (String paragraph : description) {
                t.append(".PP\n").append(escapeLine(paragraph)).append('\n');
            }
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                t.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n");
                t.append(escapeLine(describe(p.description(), p.defaultValueString(), p.completionCandidates())))
                        .append('\n');
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            t.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                List<String> names = new ArrayList<>();
                for (String n : o.names()) {
                    names.add("\\fB" + escape(n) + "\\fR");
                }
                t.append(".TP\n").append(String.join(", ", names));
                if (o.typeInfo().isBoolean() && o.arity().max() == 0) {
                    t.append('\n');
                } else {
                    t.append(" \\fI").append(escape(o.paramLabel())).append("\\fR\n");
                }
                t.append(escapeLine(describe(o.description(), o.defaultValueString(), o.completionCandidates())))
                        .append('\n');
            }
        }
        List<CommandLine> subs = distinctSubcommands(cl);
        if (!subs.isEmpty()) {
            t.append(".SH COMMANDS\n");
            for (CommandLine sub : subs) {
                t.append(".TP\n\\fB").append(escape(sub.getCommandName())).append("\\fR\n")
                        .append(escapeLine(summary(sub.getCommandSpec()))).append(" See \\fB")
                        .append(escape(name(sub))).append("\\fR(").append(section).append(").\n");
            }
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            t.append(".SH NOTES\n.nf\n");
            for (String line : String.join("\n", footer).split("\n")) {
                t.append(escapeLine(line)).append('\n');
            }
            t.append(".fi\n");
        }
        CommandLine parent = cl.getParent();
        if (parent != null) {
            t.append(".SH SEE ALSO\n\\fB").append(escape(name(parent))).append("\\fR(").append(section).append(")\n");
        }
        return t.toString();
    }

    /** Each command once, under its own name (aliases point at the same one). */
    static List<CommandLine> distinctSubcommands(CommandLine cl) {
        List<CommandLine> subs = new ArrayList<>();
        cl.getSubcommands().forEach((n, sub) -> {
            if (n.equals(sub.getCommandName())) {
                subs.add(sub);
            }
        });
        return subs;
    }

    private static String summary(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        return d.length == 0 ? "" : d[0];
    }

    /** Help's own variables, which picocli fills in only when it draws the help. */
    private static String describe(String[] lines, String defaultValue, Iterable<String> candidates) {
        String text = String.join(" ", lines);
        text = text.replace("${DEFAULT-VALUE}", defaultValue == null ? "" : defaultValue);
        if (text.contains("${COMPLETION-CANDIDATES}")) {
            List<String> values = new ArrayList<>();
            if (candidates != null) {
                candidates.forEach(values::add);
            }
            text = text.replace("${COMPLETION-CANDIDATES}", String.join(", ", values));
        }
        return text;
    }

    private static String quote(String s) {
        return "\"" + escape(s).replace("\"", "\\(dq") + "\"";
    }

    /** A text line: backslashes and dashes as man wants them, never a leading control character. */
    static String escapeLine(String s) {
        List<String> out = new ArrayList<>();
        for (String line : s.replace("%n", "\n").split("\n", -1)) {
            String e = escape(line);
            out.add(e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e);
        }
        return String.join("\n", out);
    }

    static String escape(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }
}
