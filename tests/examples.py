"""The bundled example each built-in form is shown with, for tests and benchmarks alike."""

EXAMPLE_FOR = {
    "southwark-full": "southwark-primary",
    "southwark-review": "southwark-review",
    "kent": "kent-secondary",
    "no-provision": "no-provision",
    "early-years": "early-years",
    "post-16": "post-16-neet",
}
