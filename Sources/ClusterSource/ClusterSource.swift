// The ClusterSource target; see DESIGN.md §3.
