//! `--format full`: miette's graphical report with the source snippet, labels and help.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::diagnostic::{Diagnostic, Severity};

/// Adapts a cmklint diagnostic to miette's `Diagnostic` trait.
struct Report<'a> {
    d: &'a Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

fn source_span(file_len: usize, s: crate::source::Span) -> SourceSpan {
    let start = s.start.min(file_len);
    let end = s.end.clamp(start, file_len);
    SourceSpan::new(start.into(), end - start)
}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.source.inner().len();
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            source_span(len, self.d.span),
        )];
        for l in &self.d.labels {
            labels.push(LabeledSpan::new_with_span(
                Some(l.message.clone()),
                source_span(len, l.span),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

pub fn render(diags: &[Diagnostic], opts: super::RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let text = d.file.as_ref().map(|f| f.text.clone()).unwrap_or_default();
        let report = Report {
            d,
            source: NamedSource::new(d.path_str(), text),
        };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&crate::render::concise::render(std::slice::from_ref(d)));
        }
        out.push('\n');
    }
    out
}
