"""Chapter material: each chapter's worked circuits, special explorers and checkers.
Imported only by the notebooks, the exercises and the tests."""
