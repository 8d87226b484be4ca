// @fluxion/evolve: graph models that mutate while keeping their weights, and the utilities of an
// architecture search (NaiveNASlib / NaiveNASflux / NaiveGAflux).
