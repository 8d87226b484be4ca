// The mutation and crossover classes under their names, so a MutationShield that allows some of
// them can be saved and loaded (graph files store its allowed classes by registered name).
import { registerName } from "../../files/names.js";
import { ActivationFunctionMutation } from "./activation.js";
import { AddVertexMutation } from "./add-vertex.js";
import { AddEdgeMutation, RemoveEdgeMutation } from "./edges.js";
import { KernelSizeMutation } from "./kernel-size.js";
import { NoutMutation } from "./nout.js";
import { RemoveVertexMutation } from "./remove-vertex.js";
import { VertexCrossover } from "../crossover/graph-swap.js";

for (const C of [NoutMutation, AddVertexMutation, RemoveVertexMutation, AddEdgeMutation, RemoveEdgeMutation, ActivationFunctionMutation, KernelSizeMutation, VertexCrossover]) registerName(C.name, C);
