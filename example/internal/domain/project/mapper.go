package project

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// ToProto converts p for the API; the public ID is its id.
func (p *Project) ToProto() *altalunev1.Project {
	return &altalunev1.Project{
		Id:        p.PublicID,
		Name:      p.Name,
		CreatedAt: timestamppb.New(p.CreatedAt),
		UpdatedAt: timestamppb.New(p.UpdatedAt),
	}
}

func projectsToProto(projects []*Project) []*altalunev1.Project {
	out := make([]*altalunev1.Project, 0, len(projects))
	for _, p := range projects {
		out = append(out, p.ToProto())
	}
	return out
}

func filtersToProto(filters map[string][]string) map[string]*altalunev1.FilterValues {
	out := make(map[string]*altalunev1.FilterValues, len(filters))
	for field, values := range filters {
		out[field] = &altalunev1.FilterValues{Values: values}
	}
	return out
}
