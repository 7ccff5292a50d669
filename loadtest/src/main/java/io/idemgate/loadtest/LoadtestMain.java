package io.idemgate.loadtest;
public final class LoadtestMain { public static void main(String[] a) {} }
