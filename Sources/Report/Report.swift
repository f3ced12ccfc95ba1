// The Report target; see DESIGN.md §3.
